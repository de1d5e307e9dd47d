import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
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

  it('forgets a setting on unset', async () => {
    await runGoblin(['config', 'unset', 'trace.backend'], { env })
    const get = await runGoblin(['config', 'get', 'trace.backend', '--json'], { env })
    expect(parseJson(get)).toEqual({ key: 'trace.backend', value: null })
  })
})
