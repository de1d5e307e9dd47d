import { GoblinCommand } from '../../src/cli/base-command.js'
import { ExitCode } from '../../src/core/errors.js'
import { type BudgetCheck, checkBudgets } from '../../src/cost/budget-check.js'

export default class CostCheck extends GoblinCommand {
  static override summary =
    'Check the cost envelopes (budgets) of goblin.config.json; exit 1 when one is exceeded'
  static override description =
    'Measures each cost.budgets entry (goblin and/or task, per UTC day, ISO week from Monday, or calendar month, in USD) against the LLM spend the embedded collector recorded in the current period. Lists every envelope with who, period, spent and budget; warns from warn_at; exits 1 when spent is over a budget (exactly at the budget is a warning), else 0.'
  static override examples = ['<%= config.bin %> cost check', '<%= config.bin %> cost check --json']

  async run(): Promise<BudgetCheck> {
    await this.parse(CostCheck)
    const check = await checkBudgets({ hooks: this.config })
    this.warnPluginProblems(check.problems)
    if (!this.jsonEnabled()) {
      const { renderBudgetCheck } = await import('../../src/ui/cost-check.js')
      this.out(renderBudgetCheck(check, this.stdoutFacts))
    }
    if (check.summary.exceeded > 0) process.exitCode = ExitCode.notOk
    return check
  }
}
