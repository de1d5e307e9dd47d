import { join } from 'node:path'
import { execa } from 'execa'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../helpers/cli.js'

// Debian's prometheus package (on .ci/run's apt-get line) brings promtool: the rule is checked and run in
// Prometheus's own simulated time, with a burst of denials and a trickle that must not fire.
describe('the stack’s Prometheus alert on policy denials', () => {
  it('is a valid rule file', async () => {
    const run = await execa(
      'promtool',
      ['check', 'rules', join(REPO_ROOT, 'stack/prometheus/rules/goblin-policy.yml')],
      {
        reject: false,
      },
    )
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).toContain('SUCCESS: 1 rules found')
  })

  it('fires within a minute of a burst of denials for that goblin only, and resolves', async () => {
    const run = await execa('promtool', ['test', 'rules', 'goblin-policy.test.yml'], {
      cwd: join(REPO_ROOT, 'test/fixtures/prometheus'),
      reject: false,
    })
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0)
    expect(run.stdout).toContain('SUCCESS')
  })
})
