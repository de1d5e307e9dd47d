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
const DIST = 'file:///app/dist/'
const resolve = vendorResolver(
  { zod: { file: 'zod.js', format: 'module' } },
  new URL('file:///app/dist/vendor/'),
  OWN,
  DIST,
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

  it('asks Node once per specifier, importing directory and conditions, and never for a built-in', () => {
    const asked: string[] = []
    const counting = (specifier: string, context: { parentURL?: string; conditions?: string[] }) => {
      asked.push(`${specifier} ${context.parentURL} ${context.conditions}`)
      return { url: `file:///app/node_modules/${specifier}/${context.conditions?.[0]}.js`, format: 'module' }
    }
    const once = vendorResolver({}, new URL('file:///app/dist/vendor/'), OWN, DIST)
    const a = { parentURL: 'file:///app/dist/src/a.js', conditions: ['import'] }
    const b = { parentURL: 'file:///app/dist/src/b.js', conditions: ['import'] }
    expect(once('pkg', a, counting)).toEqual({
      url: 'file:///app/node_modules/pkg/import.js',
      format: 'module',
      shortCircuit: true,
    })
    expect(once('pkg', b, counting)).toEqual(once('pkg', a, counting))
    expect(asked).toHaveLength(1)
    // Another directory, or require's conditions, can resolve elsewhere: asked again.
    once('pkg', { parentURL: 'file:///app/dist/commands/c.js', conditions: ['import'] }, counting)
    expect(once('pkg', { ...a, conditions: ['require'] }, counting).url).toBe(
      'file:///app/node_modules/pkg/require.js',
    )
    expect(asked).toHaveLength(3)
    expect(once('node:fs', a, counting)).toEqual({ url: 'node:fs', format: 'builtin', shortCircuit: true })
    expect(once('path', a, counting)).toEqual({ url: 'node:path', format: 'builtin', shortCircuit: true })
    expect(asked).toHaveLength(3)
  })

  it("answers goblin's own relative .js imports by URL alone, and asks Node for anyone else's", () => {
    const asked: string[] = []
    const node = (specifier: string, context: { parentURL?: string }) => {
      asked.push(`${specifier} from ${context.parentURL}`)
      return { url: new URL(specifier, context.parentURL).href, format: 'module' }
    }
    const own = vendorResolver({}, new URL('file:///app/dist/vendor/'), OWN, DIST)
    expect(own('../core/errors.js', { parentURL: 'file:///app/dist/src/cli/entry.js' }, node)).toEqual({
      url: 'file:///app/dist/src/core/errors.js',
      format: 'module',
      shortCircuit: true,
    })
    expect(asked).toEqual([])
    const plugin = 'file:///home/u/.local/share/goblin/node_modules/goblin-plugin-x/lib/hook.js'
    own('./util.js', { parentURL: plugin }, node)
    own('./prices.json', { parentURL: 'file:///app/dist/src/cost/price-store.js' }, node)
    own('./oclif-core-bundle.cjs', { parentURL: 'file:///app/dist/vendor/oclif-core.cjs' }, node)
    expect(asked).toHaveLength(3)
  })

  it('keeps no answer for what failed to resolve: a later try asks again', () => {
    let calls = 0
    const failing = () => {
      calls++
      throw new Error('Cannot find package')
    }
    const once = vendorResolver({}, new URL('file:///app/dist/vendor/'), OWN, DIST)
    expect(() => once('missing', { parentURL: 'file:///app/a.js' }, failing)).toThrow('Cannot find package')
    expect(() => once('missing', { parentURL: 'file:///app/a.js' }, failing)).toThrow('Cannot find package')
    expect(calls).toBe(2)
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
      DIST,
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
