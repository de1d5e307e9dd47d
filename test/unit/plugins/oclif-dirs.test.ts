import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { goblinHome } from '../../../src/core/paths.js'
import { oclifDirsEnv } from '../../../src/plugins/oclif-dirs.js'

describe('oclifDirsEnv', () => {
  it('puts oclif data, cache and config under GOBLIN_HOME/plugins', () => {
    expect(oclifDirsEnv({ GOBLIN_HOME: '/tmp/gh' })).toEqual({
      GOBLIN_DATA_DIR: '/tmp/gh/plugins',
      GOBLIN_CACHE_DIR: '/tmp/gh/plugins/cache',
      GOBLIN_CONFIG_DIR: '/tmp/gh/plugins/config',
    })
  })

  it('follows the default GOBLIN_HOME when it is unset', () => {
    expect(oclifDirsEnv({}).GOBLIN_DATA_DIR).toBe(join(goblinHome({}), 'plugins'))
  })

  it('leaves a directory the user chose alone', () => {
    const env = oclifDirsEnv({ GOBLIN_HOME: '/tmp/gh', GOBLIN_DATA_DIR: '/elsewhere', GOBLIN_CACHE_DIR: ' ' })
    expect(env).toEqual({
      GOBLIN_CACHE_DIR: '/tmp/gh/plugins/cache',
      GOBLIN_CONFIG_DIR: '/tmp/gh/plugins/config',
    })
  })
})
