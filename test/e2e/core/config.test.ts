import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { configSchemas } from '../../../src/core/config-schema.js'
import { parseJson, runGoblin, tempDir } from '../../helpers/cli.js'

const home = tempDir()
const project = tempDir('goblin-project-')
afterAll(() => {
  home.cleanup()
  project.cleanup()
})
const env = { GOBLIN_HOME: home.path }

describe('goblin config (user settings through conf)', () => {
  it('stores a setting under GOBLIN_HOME and reads it back', async () => {
    const set = await runGoblin(['config', 'set', 'trace.backend', 'tempo', '--json'], { env })
    expect(set.exitCode).toBe(0)
    expect(parseJson(set)).toEqual({
      key: 'trace.backend',
      value: 'tempo',
      file: join(home.path, 'settings', 'config.json'),
    })
    const get = await runGoblin(['config', 'get', 'trace.backend'], { env })
    expect(get.stdout.trim()).toBe('tempo')
  })

  it('refuses an invalid value with exit 2 and keeps the stored one', async () => {
    const before = readFileSync(join(home.path, 'settings', 'config.json'), 'utf8')
    const bad = await runGoblin(['config', 'set', 'trace.backend', 'jaeger'], { env })
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain('trace.backend: Invalid option')
    expect(readFileSync(join(home.path, 'settings', 'config.json'), 'utf8')).toBe(before)
  })

  it('refuses an unknown key with exit 2 and lists the settable ones', async () => {
    const bad = await runGoblin(['config', 'get', 'colour'], { env })
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toMatch(/Hint: Settable keys: stack\.runtime, trace\.backend/)
  })

  it('lets a project goblin.config.json override the user setting, section by section', async () => {
    await runGoblin(['config', 'set', 'stack.runtime', 'embedded'], { env })
    writeFileSync(join(project.path, 'goblin.config.json'), '{"trace": {"backend": "embedded"}}')
    const show = await runGoblin(['config', 'show', '--json'], { env, cwd: project.path })
    const { config, projectFile } = parseJson<{
      config: { trace: { backend: string }; stack: { runtime: string } }
      projectFile: string
    }>(show)
    expect(projectFile).toBe(join(project.path, 'goblin.config.json'))
    expect(config.trace.backend).toBe('embedded')
    expect(config.stack.runtime).toBe('embedded')
  })

  it('names the file and line when goblin.config.json is malformed, with exit 2', async () => {
    writeFileSync(join(project.path, 'goblin.config.json'), '{\n  "trace": {"backend": "embedded",}\n}')
    const show = await runGoblin(['config', 'show'], { env, cwd: project.path })
    expect(show.exitCode).toBe(2)
    expect(show.stderr).toContain(`${join(project.path, 'goblin.config.json')}:2:`)
    expect(show.stderr).toContain('not valid JSON')
  })

  // The built CLI reads a valid config by its JSON Schema, without zod (src/core/schema-parse.ts): the same
  // settings, defaults and key order as zod's parse; an invalid one gets zod's words, file, line and exit 2.
  it('reads a config with every section as zod reads it', async () => {
    const file = {
      stack: { images: { grafana: 'grafana/grafana:12' }, ports: { 'otlp-http': 14318 } },
      collector: { port: 4319, retention: { max_age_hours: 24 } },
      audit: { witnesses: [{ url: 'https://witness.example/', vkey: 'w+1234abcd+AQ' }] },
      cost: { budgets: [{ goblin: 'g', period: 'week', usd: 2.5 }] },
      anchor: { ots: { calendars: ['https://a.example'] }, s3: { bucket: 'logs', mode: 'governance' } },
      policy: { files: ['p.cedar'] },
      trace: { endpoint: 'http://127.0.0.1:3200' },
    }
    writeFileSync(join(project.path, 'goblin.config.json'), JSON.stringify(file))
    const fresh = tempDir()
    const show = await runGoblin(['config', 'show', '--json'], {
      env: { GOBLIN_HOME: fresh.path },
      cwd: project.path,
    })
    fresh.cleanup()
    expect(show.exitCode).toBe(0)
    const { config } = parseJson<{ config: unknown }>(show)
    expect(JSON.stringify(config)).toBe(JSON.stringify(configSchemas().projectConfigSchema.parse(file)))
  })

  it("refuses an out-of-range setting in zod's words, naming file, line and field, with exit 2", async () => {
    writeFileSync(join(project.path, 'goblin.config.json'), '{\n  "anchor": {"s3": {"retention_days": 0}}\n}')
    const show = await runGoblin(['config', 'show'], { env, cwd: project.path })
    expect(show.exitCode).toBe(2)
    expect(show.stderr).toContain(
      `${join(project.path, 'goblin.config.json')}:2:39: anchor.s3.retention_days: Too small: expected number to be >=1`,
    )
  })

  it('forgets a setting on unset', async () => {
    await runGoblin(['config', 'unset', 'trace.backend'], { env })
    const get = await runGoblin(['config', 'get', 'trace.backend', '--json'], { env })
    expect(parseJson(get)).toEqual({ key: 'trace.backend', value: null })
  })
})
