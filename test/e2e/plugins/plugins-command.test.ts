import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseJson, REPO_ROOT, runGoblin, tempDir } from '../../helpers/cli.js'

const FIXTURE = join(REPO_ROOT, 'test/fixtures/plugins/malformed')

describe('goblin plugins', () => {
  const scratch = tempDir('goblin-plugins-cmd-')
  const env = { GOBLIN_HOME: join(scratch.path, 'home') }
  afterAll(() => scratch.cleanup())

  it('offers install, link, uninstall, update, inspect and new', async () => {
    const run = await runGoblin(['plugins', '--help'], { env })
    expect(run.exitCode).toBe(0)
    for (const sub of ['install', 'link', 'uninstall', 'update', 'inspect', 'new']) {
      expect(run.stdout).toMatch(new RegExp(`plugins ${sub}\\s`))
    }
  })

  it('inspects a linked plugin', async () => {
    expect((await runGoblin(['plugins', 'link', FIXTURE, '--no-install'], { env })).exitCode).toBe(0)
    const run = await runGoblin(['plugins', 'inspect', 'goblin-plugin-malformed', '--json'], { env })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(parseJson<Array<{ name: string; root: string }>>(run)[0]).toMatchObject({
      name: 'goblin-plugin-malformed',
      root: FIXTURE,
    })
  })

  it('keeps plugins where GOBLIN_DATA_DIR says, when set', async () => {
    const dataDir = join(scratch.path, 'oclif-data')
    const run = await runGoblin(['plugins', 'link', FIXTURE, '--no-install'], {
      env: { ...env, GOBLIN_DATA_DIR: dataDir },
    })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(JSON.parse(readFileSync(join(dataDir, 'package.json'), 'utf8')).oclif.plugins).toEqual([
      expect.objectContaining({ name: 'goblin-plugin-malformed', type: 'link' }),
    ])
  })
})

describe('goblin plugins new', () => {
  const scratch = tempDir('goblin-plugins-new-')
  const env = { GOBLIN_HOME: join(scratch.path, 'home') }
  afterAll(() => scratch.cleanup())

  it('prints what it made and the next steps', async () => {
    const run = await runGoblin(['plugins', 'new', 'goblin-plugin-big-co', '--dir', scratch.path], { env })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).toContain(
      `Created goblin-plugin-big-co in ${join(scratch.path, 'goblin-plugin-big-co')}`,
    )
    expect(run.stdout).toContain('goblin plugins link . --no-install')
    expect(run.stdout).toContain('goblin big-co hello')
    const readme = readFileSync(join(scratch.path, 'goblin-plugin-big-co', 'README.md'), 'utf8')
    expect(readme).toContain('BIG_CO_API_KEY')
  })

  it.each([
    ['Acme', 'PLUGIN_NAME_INVALID'],
    ['doctor', 'PLUGIN_NAME_TAKEN'],
    ['goblin-plugin-plugins', 'PLUGIN_NAME_TAKEN'],
  ])('refuses %s with a usage error and writes nothing', async (name, code) => {
    const dir = join(scratch.path, `refused-${code}-${name}`)
    mkdirSync(dir)
    const run = await runGoblin(['plugins', 'new', name, '--dir', dir, '--json'], { env })
    expect(run.exitCode).toBe(2)
    expect(parseJson<{ error: { code: string; hint?: string } }>(run).error).toMatchObject({
      code,
      hint: expect.any(String),
    })
    expect(readdirSync(dir)).toEqual([])
  })

  it('refuses a non-empty target directory and keeps what is there', async () => {
    const target = join(scratch.path, 'goblin-plugin-taken')
    mkdirSync(target)
    writeFileSync(join(target, 'notes.txt'), 'mine')
    const run = await runGoblin(['plugins', 'new', 'taken', '--dir', scratch.path], { env })
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain(`${target} already exists and is not empty`)
    expect(readdirSync(target)).toEqual(['notes.txt'])
    expect(existsSync(join(target, 'package.json'))).toBe(false)
  })

  it('needs a name', async () => {
    const run = await runGoblin(['plugins', 'new'], { env })
    expect(run.exitCode).toBe(2)
  })
})
