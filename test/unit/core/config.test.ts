import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { findProjectConfig, loadProjectConfig, parseProjectConfig } from '../../../src/core/config.js'
import type { GoblinError } from '../../../src/core/errors.js'
import { tempDir } from '../../helpers/cli.js'

function parseError(text: string): GoblinError {
  try {
    parseProjectConfig(text, 'goblin.config.json')
  } catch (error) {
    return error as GoblinError
  }
  throw new Error('expected the config to be rejected')
}

describe('goblin.config.json', () => {
  const dirs: Array<() => void> = []
  afterEach(() => {
    for (const cleanup of dirs.splice(0)) cleanup()
  })

  it('fills every default when the file is empty JSON', () => {
    const config = parseProjectConfig('{}', 'x')
    expect(config.collector).toEqual({
      host: '127.0.0.1',
      port: 4318,
      durability: 'power-loss',
      retention: { max_age_hours: 168, max_megabytes: 1024 },
    })
    expect(config.stack.runtime).toBe('auto')
    expect(config.cost.budgets).toEqual([])
  })

  it('names file, line, column and the JSON problem for malformed JSON', () => {
    const error = parseError('{\n  "collector": {\n    "port": 4318,\n  }\n}')
    expect(error.code).toBe('CONFIG_MALFORMED')
    expect(error.exit).toBe(2)
    expect(error.message).toMatch(/^goblin\.config\.json:4:3: not valid JSON/)
  })

  it('names the line and field of a value of the wrong type', () => {
    const error = parseError('{\n  "collector": {\n    "port": "4318"\n  }\n}')
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toMatch(/^goblin\.config\.json:3:13: collector\.port: expected number/)
    expect(error.hint).toMatch(/docs\/settings\.md/)
  })

  it('rejects an unknown setting by name, so a typo never silently does nothing', () => {
    const error = parseError('{\n  "stack": { "runtim": "docker" }\n}')
    expect(error.message).toContain('stack.runtim: unknown setting')
  })

  it('names the array index of a bad budget', () => {
    const error = parseError('{"cost":{"budgets":[{"period":"day","usd":5},{"period":"year","usd":5}]}}')
    expect(error.message).toContain('cost.budgets[1].period')
  })

  it('is found from a nested working directory upward', () => {
    const dir = tempDir()
    dirs.push(dir.cleanup)
    const nested = join(dir.path, 'a', 'b')
    mkdirSync(nested, { recursive: true })
    writeFileSync(join(dir.path, 'goblin.config.json'), '{"collector":{"port":5318}}')
    expect(findProjectConfig(nested)).toBe(join(dir.path, 'goblin.config.json'))
    expect(loadProjectConfig(nested).config.collector.port).toBe(5318)
  })

  it('falls back to the defaults when no file exists up to the root', () => {
    const dir = tempDir()
    dirs.push(dir.cleanup)
    const loaded = loadProjectConfig(dir.path)
    expect(loaded.path).toBeNull()
    expect(loaded.config.collector.port).toBe(4318)
  })
})
