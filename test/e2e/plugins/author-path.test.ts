import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GoblinRun, parseJson, REPO_ROOT, runGoblin, tempDir } from '../../helpers/cli.js'

// A plugin author's path, end to end, with the built CLI: scaffold, build, test, link, see every
// contribution, pack, install from the tarball, uninstall, see it all gone.
//
// The scaffold's node_modules is a symlink to goblin's own: its dependency ranges are goblin's
// (test/unit/plugins/template.test.ts checks that), so this builds it with exactly the packages a fresh
// `npm install` would resolve, without the network and in seconds. `goblin plugins install` does run npm
// for the tarball's dependencies, with prefer-offline so npm's cache (warm after goblin's own npm ci)
// serves them.

const NODE = process.execPath
const bin = (relative: string) => join(REPO_ROOT, 'node_modules', relative)

interface DoctorJson {
  checks: Array<{ id: string; status: string; source?: string }>
}
interface StackJson {
  services: Array<{ name: string; source?: string; ports: Array<{ host: number }> }>
  warnings: string[]
}

// Each step runs the CLI several times (and waits out a 3 s hook timeout); a loaded CI machine needs room.
describe('a plugin from `goblin plugins new` to uninstall', { timeout: 180_000 }, () => {
  const scratch = tempDir('goblin-plugin-e2e-')
  const home = join(scratch.path, 'home')
  const project = join(scratch.path, 'project')
  const forwarded = join(scratch.path, 'forwarded.jsonl')
  const env = {
    GOBLIN_HOME: home,
    ACME_AUDIT_FILE: forwarded,
    ACME_ECHO_PORT: '15678',
    npm_config_prefer_offline: 'true',
    npm_config_update_notifier: 'false',
  }
  const goblin = (args: string[]) => runGoblin(args, { env, cwd: project, timeout: 120_000 })
  let pluginDir = ''

  beforeAll(async () => {
    await execa('mkdir', ['-p', project])
  })
  afterAll(() => scratch.cleanup())

  it('scaffolds the plugin', async () => {
    const run = await goblin(['plugins', 'new', 'acme', '--dir', scratch.path, '--json'])
    expect(run.exitCode, run.stderr).toBe(0)
    const result = parseJson<{ directory: string; packageName: string; command: string; files: string[] }>(
      run,
    )
    expect(result).toMatchObject({ packageName: 'goblin-plugin-acme', command: 'acme hello' })
    pluginDir = result.directory
    expect(existsSync(join(pluginDir, 'src/hooks/cost-prices.ts'))).toBe(true)
  })

  it('builds, and its own tests pass', async () => {
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(pluginDir, 'node_modules'))
    const tsc = await execa(NODE, [bin('typescript/bin/tsc'), '-p', 'tsconfig.json'], {
      cwd: pluginDir,
      reject: false,
    })
    expect(tsc.exitCode, String(tsc.stdout)).toBe(0)
    expect(existsSync(join(pluginDir, 'dist/commands/acme/hello.js'))).toBe(true)
    // The plugin's vitest runs on its own, not as a worker of this one.
    const tests = await execa(NODE, [bin('vitest/vitest.mjs'), 'run'], {
      cwd: pluginDir,
      reject: false,
      extendEnv: false,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, CI: 'true', NO_COLOR: '1' },
    })
    expect(tests.exitCode, `${tests.stdout}\n${tests.stderr}`).toBe(0)
    expect(String(tests.stdout)).toMatch(/Tests\s+\d+ passed/)
  })

  it('links into GOBLIN_HOME, not into the project', async () => {
    const run = await goblin(['plugins', 'link', pluginDir, '--no-install'])
    expect(run.exitCode, run.stderr).toBe(0)
    const userPlugins = JSON.parse(readFileSync(join(home, 'plugins/package.json'), 'utf8'))
    expect(userPlugins.oclif.plugins).toEqual([{ name: 'goblin-plugin-acme', root: pluginDir, type: 'link' }])
    expect(readdirSync(project)).toEqual([])
    const list = await goblin(['plugins'])
    expect(list.stdout).toContain('goblin-plugin-acme 0.1.0 (link)')
  })

  it('runs its command', async () => {
    const run = await goblin(['acme', 'hello', '--name', 'Ada', '--json'])
    expect(run.exitCode, run.stderr).toBe(0)
    expect(parseJson(run)).toEqual({ greeting: 'Hello, Ada, from goblin-plugin-acme!' })
    expect(run.stderr).not.toMatch(/Warning/)
  })

  it('shows its doctor check, fed the environment doctor inspects', async () => {
    const unset = parseJson<DoctorJson>(await goblin(['doctor', '--json']))
    expect(unset.checks).toContainEqual(
      expect.objectContaining({ id: 'acme:api-key', status: 'warn', source: 'goblin-plugin-acme' }),
    )
    const set = await runGoblin(['doctor', '--json', '--only', 'acme:api-key'], {
      env: { ...env, ACME_API_KEY: 'k' },
      cwd: project,
    })
    expect(parseJson<DoctorJson>(set).checks).toEqual([
      expect.objectContaining({ id: 'acme:api-key', status: 'ok', source: 'goblin-plugin-acme' }),
    ])
  })

  it('adds its service to the stack plan', async () => {
    const run = await goblin(['stack', 'config', '--json'])
    expect(run.exitCode, run.stderr).toBe(0)
    const plan = parseJson<StackJson>(run)
    const service = plan.services.find((s) => s.name === 'acme-echo')
    expect(service).toMatchObject({
      source: 'goblin-plugin-acme',
      ports: [expect.objectContaining({ host: 15678 })],
    })
    expect(plan.warnings).toEqual([])
  })

  it('prices its model in goblin cost estimate', async () => {
    const run = await goblin([
      'cost',
      'estimate',
      '--model',
      'acme-mini',
      '--input-tokens',
      '1000',
      '--output-tokens',
      '100',
      '--json',
    ])
    expect(run.exitCode, run.stderr).toBe(0)
    const estimate = parseJson<{ origin: string; usd: number; problems: unknown[] }>(run)
    expect(estimate.origin).toBe('plugin:goblin-plugin-acme')
    // 1000 x $0.000002 + 100 x $0.000008
    expect(estimate.usd).toBeCloseTo(0.0028, 10)
    expect(estimate.problems).toEqual([])
  })

  it('observes audit entries as they are appended', async () => {
    expect((await goblin(['audit', 'keygen'])).exitCode).toBe(0)
    const run = await goblin([
      'audit',
      'sign',
      '--goblin',
      'g1',
      '--action',
      'deploy',
      '--decision',
      'allow',
      '--json',
    ])
    expect(run.exitCode, run.stderr).toBe(0)
    const [entry] = parseJson<{ entries: Array<{ seq: number; leaf_hash: string }> }>(run).entries
    const lines = readFileSync(forwarded, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(lines).toEqual([{ seq: entry?.seq, leafHash: entry?.leaf_hash, action: 'deploy' }])
  })

  it('uninstalls, and every contribution is gone', async () => {
    const run = await goblin(['plugins', 'uninstall', 'goblin-plugin-acme'])
    expect(run.exitCode, run.stderr).toBe(0)
    await expectPluginGone(goblin)
    const sign = await goblin(['audit', 'sign', '--goblin', 'g1', '--action', 'after', '--decision', 'allow'])
    expect(sign.exitCode, sign.stderr).toBe(0)
    expect(readFileSync(forwarded, 'utf8').trim().split('\n')).toHaveLength(1)
  })

  it('packs for npm and installs from the tarball under GOBLIN_HOME', async () => {
    // npm pack runs the template's prepack: build, then oclif manifest (removed again by postpack).
    const pack = await execa(NODE, [bin('npm/bin/npm-cli.js'), 'pack', '--pack-destination', scratch.path], {
      cwd: pluginDir,
      reject: false,
    })
    expect(pack.exitCode, String(pack.stderr)).toBe(0)
    const tarball = join(scratch.path, 'goblin-plugin-acme-0.1.0.tgz')
    const files = await execa('tar', ['tzf', tarball])
    expect(String(files.stdout).split('\n')).toEqual(
      expect.arrayContaining([
        'package/oclif.manifest.json',
        'package/dist/hooks/doctor-checks.js',
        'package/README.md',
      ]),
    )
    expect(existsSync(join(pluginDir, 'oclif.manifest.json'))).toBe(false)

    const install = await goblin(['plugins', 'install', `file://${tarball}`])
    expect(install.exitCode, install.stderr).toBe(0)
    expect(existsSync(join(home, 'plugins/node_modules/goblin-plugin-acme/oclif.manifest.json'))).toBe(true)
    expect(readdirSync(project)).toEqual([])
    const hello = await goblin(['acme', 'hello', '--json'])
    expect(parseJson(hello)).toEqual({ greeting: 'Hello, goblin, from goblin-plugin-acme!' })

    const uninstall = await goblin(['plugins', 'uninstall', 'goblin-plugin-acme'])
    expect(uninstall.exitCode, uninstall.stderr).toBe(0)
    expect(existsSync(join(home, 'plugins/node_modules/goblin-plugin-acme'))).toBe(false)
    await expectPluginGone(goblin)
  })
})

async function expectPluginGone(goblin: (args: string[]) => Promise<GoblinRun>): Promise<void> {
  const hello = await goblin(['acme', 'hello'])
  expect(hello.exitCode).toBe(2)
  expect(hello.stderr).toContain('`goblin acme hello` is not a goblin command.')
  const doctor = parseJson<DoctorJson>(await goblin(['doctor', '--json']))
  expect(doctor.checks.some((c) => c.id.startsWith('acme:') || c.source === 'goblin-plugin-acme')).toBe(false)
  const plan = parseJson<StackJson>(await goblin(['stack', 'config', '--json']))
  expect(plan.services.map((s) => s.name)).not.toContain('acme-echo')
  const estimate = await goblin([
    'cost',
    'estimate',
    '--model',
    'acme-mini',
    '--input-tokens',
    '1',
    '--output-tokens',
    '1',
  ])
  expect(estimate.exitCode).toBe(2)
}
