import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../../../src/cli/base-command.js'
import { listPrices, type PriceList } from '../../../src/cost/price-queries.js'

export default class CostPricesList extends GoblinCommand {
  static override summary = 'List model prices in force (bundled snapshot, imported table, plugins)'
  static override description =
    'Prices are USD per token in --json and per million tokens in the table. Imported prices override the bundled snapshot, and plugin prices (goblin:cost-prices hook) override both, for the models they name.'
  static override examples = [
    '<%= config.bin %> cost prices list --provider anthropic',
    '<%= config.bin %> cost prices list --search gpt-4o --json',
  ]
  static override flags = {
    provider: Flags.string({ description: 'only this provider (e.g. openai, anthropic, bedrock)' }),
    search: Flags.string({ description: 'only models whose name contains this' }),
  }

  async run(): Promise<PriceList> {
    const { flags } = await this.parse(CostPricesList)
    const list = await listPrices({ provider: flags.provider, search: flags.search, hooks: this.config })
    this.warnPluginProblems(list.problems)
    if (!this.jsonEnabled()) {
      const { renderPriceList } = await import('../../../src/ui/cost-prices.js')
      this.out(renderPriceList(list, this.stdoutFacts))
    }
    return list
  }
}
