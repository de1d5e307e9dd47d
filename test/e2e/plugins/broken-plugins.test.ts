import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseJson, REPO_ROOT, runGoblin, tempDir } from '../../helpers/cli.js'

// Three plugins that misbehave in every goblin hook (test/fixtures/plugins): one throws, one hangs on a
// ten-minute timer (past goblin's 3 s hook timeout, and holding Node's event loop open), one answers
// data that breaks the contract. goblin must name each, skip it, and otherwise work as without them.
const BROKEN = ['throws', 'hangs', 'malformed'] as const
const pluginName = (kind: string) => `goblin-plugin-${kind}`

interface DoctorJson {
  checks: Array<{ id: string; status: string; detail: string; source?: string }>
  summary: { fail: number }
}

// Each step runs the CLI several times (and waits out a 3 s hook timeout); a loaded CI machine needs room.
describe('plugins that throw, hang or answer malformed data', { timeout: 180_000 }, () => {
  const home = tempDir('goblin-broken-plugins-')
  const env = { GOBLIN_HOME: home.path }
  const goblin = (args: string[]) => runGoblin(args, { env, cwd: home.path })

  beforeAll(async () => {
    for (const kind of BROKEN) {
      const link = await goblin([
        'plugins',
        'link',
        join(REPO_ROOT, 'test/fixtures/plugins', kind),
        '--no-install',
      ])
      expect(link.exitCode, link.stderr).toBe(0)
    }
  }, 120_000)
  afterAll(() => home.cleanup())

  it('doctor reports each by name as a warning, and still runs its own checks', async () => {
    const run = await goblin(['doctor', '--json'])
    const report = parseJson<DoctorJson>(run)
    const problems = report.checks.filter((c) => c.id.startsWith('plugin:'))
    expect(problems).toEqual([
      expect.objectContaining({
        id: 'plugin:goblin-plugin-throws',
        status: 'warn',
        detail:
          'its goblin:doctor-checks hook was skipped: threw: goblin-plugin-throws broke in goblin:doctor-checks',
      }),
      expect.objectContaining({
        id: 'plugin:goblin-plugin-hangs',
        status: 'warn',
        detail: 'its goblin:doctor-checks hook was skipped: did not answer within 3000 ms',
      }),
      expect.objectContaining({
        id: 'plugin:goblin-plugin-malformed',
        status: 'warn',
        detail: expect.stringMatching(/skipped: answered malformed data at checks\.0\.status/),
      }),
    ])
    expect(report.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['node', 'goblin-home', 'config']))
    expect(report.checks.some((c) => c.id === 'malformed:check')).toBe(false)
    // A warning never fails doctor: the exit code is what goblin's own checks decide.
    expect(run.exitCode).toBe(report.summary.fail > 0 ? 1 : 0)
  })

  it('stack config plans goblin’s services and warns about each plugin', async () => {
    const run = await goblin(['stack', 'config', '--json'])
    expect(run.exitCode, run.stderr).toBe(0)
    const plan = parseJson<{ services: Array<{ name: string }>; warnings: string[] }>(run)
    expect(plan.services.map((s) => s.name)).toContain('tempo')
    expect(plan.services.map((s) => s.name)).not.toContain('malformed-svc')
    for (const kind of BROKEN) {
      expect(plan.warnings).toContainEqual(
        expect.stringContaining(`plugin ${pluginName(kind)}: its goblin:stack-services hook was skipped`),
      )
    }
  })

  it('cost estimate prices from goblin’s own table and names each plugin it skipped', async () => {
    const run = await goblin([
      'cost',
      'estimate',
      '--model',
      'gpt-4o',
      '--input-tokens',
      '1000',
      '--output-tokens',
      '10',
      '--json',
    ])
    expect(run.exitCode, run.stderr).toBe(0)
    const estimate = parseJson<{
      origin: string
      usd: number
      problems: Array<{ plugin: string; kind: string }>
    }>(run)
    expect(estimate.origin).toBe('bundled')
    expect(estimate.usd).toBeGreaterThan(0)
    expect(estimate.problems.map((p) => [p.plugin, p.kind])).toEqual([
      ['goblin-plugin-throws', 'threw'],
      ['goblin-plugin-hangs', 'timeout'],
      ['goblin-plugin-malformed', 'malformed'],
    ])
  })

  it('audit sign appends and warns about the observers that failed; a malformed answer is ignored', async () => {
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
    expect(parseJson<{ entries: unknown[] }>(run).entries).toHaveLength(1)
    expect(run.stderr).toContain('plugin goblin-plugin-throws: its goblin:audit-event hook')
    expect(run.stderr).toContain('plugin goblin-plugin-hangs: its goblin:audit-event hook')
    expect(run.stderr).not.toContain('goblin-plugin-malformed')
    const verify = await goblin(['audit', 'verify', '--json'])
    expect(verify.exitCode, verify.stderr).toBe(0)
  })

  it('the hung plugin does not keep goblin running once the command is done', async () => {
    // The hook's ten-minute timer would hold Node open; this run's 20 s limit fails the test if it does.
    const run = await runGoblin(['doctor', '--json'], { env, cwd: home.path, timeout: 20_000 })
    expect(run.exitCode === 0 || run.exitCode === 1).toBe(true)
    expect(parseJson<DoctorJson>(run).checks.map((c) => c.id)).toContain('plugin:goblin-plugin-hangs')
  })

  it('uninstalling the broken plugins leaves no warnings behind', async () => {
    for (const kind of BROKEN)
      expect((await goblin(['plugins', 'uninstall', pluginName(kind)])).exitCode).toBe(0)
    const report = parseJson<DoctorJson>(await goblin(['doctor', '--json']))
    expect(report.checks.filter((c) => c.id.startsWith('plugin:'))).toEqual([])
  })
})
