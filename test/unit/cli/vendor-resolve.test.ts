import { describe, expect, it } from 'vitest'
import { packageDir, vendorResolver } from '../../../src/cli/vendor-resolve.js'

// The resolver over a stand-in for Node's own resolution: goblin at /app, a plugin with its own zod.
const OWN = 'file:///app/bin/run.js'
const where: Record<string, string> = {
  'file:///app/bin/run.js zod': 'file:///app/node_modules/zod/index.js',
  'file:///app/dist/src/core/config.js zod': 'file:///app/node_modules/zod/index.js',
  'file:///home/u/.local/share/goblin/node_modules/goblin-plugin-x/lib/hook.js zod':
    'file:///home/u/.local/share/goblin/node_modules/goblin-plugin-x/node_modules/zod/index.js',
  'file:///app/dist/src/core/config.js jsonc-parser': 'file:///app/node_modules/jsonc-parser/lib/main.js',
}
const next = (specifier: string, context: { parentURL?: string }) => {
  const url = where[`${context.parentURL} ${specifier}`]
  if (!url) throw new Error(`no stand-in for ${specifier} from ${context.parentURL}`)
  return { url, format: 'module' }
}
const resolve = vendorResolver(
  { zod: { file: 'zod.js', format: 'module' } },
  new URL('file:///app/dist/vendor/'),
  OWN,
)

describe('vendorResolver', () => {
  it('serves the bundle where goblin’s own copy would load', () => {
    expect(resolve('zod', { parentURL: 'file:///app/dist/src/core/config.js' }, next)).toEqual({
      url: 'file:///app/dist/vendor/zod.js',
      format: 'module',
      shortCircuit: true,
    })
  })

  it('leaves a plugin’s own copy of the package alone', () => {
    const parentURL = 'file:///home/u/.local/share/goblin/node_modules/goblin-plugin-x/lib/hook.js'
    expect(resolve('zod', { parentURL }, next).url).toBe(
      'file:///home/u/.local/share/goblin/node_modules/goblin-plugin-x/node_modules/zod/index.js',
    )
  })

  it('leaves packages without a bundle alone', () => {
    expect(resolve('jsonc-parser', { parentURL: 'file:///app/dist/src/core/config.js' }, next).url).toBe(
      'file:///app/node_modules/jsonc-parser/lib/main.js',
    )
  })

  it('finds the package directory of a scoped or hoisted package', () => {
    expect(packageDir('file:///p/node_modules/@oclif/core/lib/index.js', '@oclif/core')).toBe(
      'file:///p/node_modules/@oclif/core/',
    )
    expect(packageDir('file:///p/lib/index.js', '@oclif/core')).toBeNull()
  })
})
