import { describe, expect, it } from 'vitest'
import { GoblinError } from '../../../src/core/errors.js'
import { pluginNames } from '../../../src/plugins/plugin-names.js'

describe('pluginNames', () => {
  it('prefixes a bare name to make the package name', () => {
    expect(pluginNames('acme')).toEqual({
      packageName: 'goblin-plugin-acme',
      topic: 'acme',
      envPrefix: 'ACME',
      directoryName: 'goblin-plugin-acme',
    })
  })

  it('keeps a prefixed name and turns dashes into underscores for the environment prefix', () => {
    expect(pluginNames('goblin-plugin-big-co')).toEqual({
      packageName: 'goblin-plugin-big-co',
      topic: 'big-co',
      envPrefix: 'BIG_CO',
      directoryName: 'goblin-plugin-big-co',
    })
  })

  it('keeps a scoped name as the package name and drops the scope from the directory', () => {
    expect(pluginNames('@acme/goblin-plugin-tools')).toMatchObject({
      packageName: '@acme/goblin-plugin-tools',
      topic: 'tools',
      directoryName: 'goblin-plugin-tools',
    })
  })

  it.each(['', 'Acme', '1acme', 'acme plugin', '../acme', '@/acme', 'goblin-plugin-', 'goblin-plugin-9x'])(
    'refuses %j with a usage error',
    (name) => {
      const error = catchError(() => pluginNames(name))
      expect(error).toBeInstanceOf(GoblinError)
      expect(error).toMatchObject({ code: 'PLUGIN_NAME_INVALID', exit: 2 })
    },
  )

  it('refuses a topic goblin already has', () => {
    expect(catchError(() => pluginNames('doctor', ['doctor', 'plugins']))).toMatchObject({
      code: 'PLUGIN_NAME_TAKEN',
      exit: 2,
      message: expect.stringContaining('"doctor"'),
    })
  })
})

function catchError(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}
