import { describe, expect, it } from 'vitest'
import { packageDir, packageName, vendorResolver } from '../../../src/cli/vendor-resolve.js'

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

  it('finds the package of a subpath specifier, so a plugin’s own copy of a subpath is left alone too', () => {
    expect(packageName('@opentelemetry/otlp-exporter-base/node-http')).toBe(
      '@opentelemetry/otlp-exporter-base',
    )
    expect(packageName('zod/v4')).toBe('zod')
    expect(packageName('zod')).toBe('zod')
    const url = 'file:///p/node_modules/@opentelemetry/otlp-exporter-base/build/src/index-node-http.js'
    expect(packageDir(url, '@opentelemetry/otlp-exporter-base/node-http')).toBe(
      'file:///p/node_modules/@opentelemetry/otlp-exporter-base/',
    )
    const sub = vendorResolver(
      { 'zod/v4': { file: 'zod-v4.js', format: 'module' } },
      new URL('file:///app/dist/vendor/'),
      OWN,
    )
    const own = (_specifier: string, context: { parentURL?: string }) =>
      ({
        url: context.parentURL?.startsWith('file:///home/')
          ? 'file:///home/u/p/node_modules/zod/v4/index.js'
          : 'file:///app/node_modules/zod/v4/index.js',
        format: 'module',
      }) as const
    expect(sub('zod/v4', { parentURL: 'file:///app/dist/src/a.js' }, own).url).toBe(
      'file:///app/dist/vendor/zod-v4.js',
    )
    expect(sub('zod/v4', { parentURL: 'file:///home/u/p/hook.js' }, own).url).toBe(
      'file:///home/u/p/node_modules/zod/v4/index.js',
    )
  })
})
