import { GoblinCommand } from '../../src/cli/base-command.js'
import { ExitCode } from '../../src/core/errors.js'
import type { ValidationReport } from '../../src/policy/validate.js'

export default class PolicyValidate extends GoblinCommand {
  static override summary = 'Check the Cedar policies’ syntax and validate them against the schema'
  static override description =
    'Parses every policy file of policy.files (default policies/) and validates the policies in Cedar’s strict mode against goblin’s schema (goblin policy schema) or policy.schema. Each problem is printed as file:line:column: message. Exits 1 when there is any error, 0 otherwise (warnings do not fail).'
  static override examples = ['<%= config.bin %> policy validate', '<%= config.bin %> policy validate --json']

  async run(): Promise<ValidationReport> {
    await this.parse(PolicyValidate)
    const { validatePolicies } = await import('../../src/policy/validate.js')
    const { formatProblem } = await import('../../src/policy/load-policies.js')
    const report = await validatePolicies(process.cwd())
    for (const p of report.errors) this.out(`error: ${formatProblem(p)}`)
    for (const p of report.warnings) this.out(`warning: ${formatProblem(p)}`)
    this.out(
      `${report.errors.length === 0 ? 'valid' : 'invalid'}: ${report.policies} policies in ${report.files.length} files, schema ${report.schema}` +
        (report.errors.length > 0 ? `, ${report.errors.length} errors` : ''),
    )
    if (report.errors.length > 0) process.exitCode = ExitCode.notOk
    return report
  }
}
