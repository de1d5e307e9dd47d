import * as Args from '@oclif/core/args'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { ExitCode } from '../../src/core/errors.js'
import type { PolicyTestReport } from '../../src/policy/policy-tests.js'

export default class PolicyTest extends GoblinCommand {
  static override summary = 'Run decision test cases against the policies; exit 1 on any mismatch'
  static override description =
    'Runs the cases of each FILE (default: every *.test.json under policy.files): each case names principal, action, resource, context and the decision it expects (and optionally the determining policy ids). context.cost is never measured: a case gives it. Prints one line per case; exits 1 when any case gets another decision or other policies, 2 on a malformed file.'
  static override examples = [
    '<%= config.bin %> policy test',
    '<%= config.bin %> policy test policies/tools.test.json --json',
  ]
  static override strict = false
  static override args = {
    file: Args.string({ description: 'test case files (default: *.test.json beside the policies)' }),
  }

  async run(): Promise<PolicyTestReport> {
    const { argv } = await this.parse(PolicyTest)
    const { runPolicyTests } = await import('../../src/policy/policy-tests.js')
    const report = await runPolicyTests(argv as string[], process.cwd())
    for (const c of report.cases) {
      const wanted = c.expectedPolicies
        ? `${c.expected} by ${c.expectedPolicies.join(', ') || '(none)'}`
        : c.expected
      const got = `${c.decision} by ${c.policyIds.join(', ') || '(none)'}`
      this.out(
        `${c.passed ? 'ok  ' : 'FAIL'} ${c.file}: ${c.name}${c.passed ? '' : `: expected ${wanted}, got ${got}`}`,
      )
      for (const e of c.errors) this.note(`warning: ${e}`)
    }
    this.out(`${report.passed} passed, ${report.failed} failed`)
    if (report.failed > 0) process.exitCode = ExitCode.notOk
    return report
  }
}
