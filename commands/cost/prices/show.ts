import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../../../src/cli/base-command.js'
import { type PriceShow, showPrice } from '../../../src/cost/price-queries.js'

export default class CostPricesShow extends GoblinCommand {
  static override summary = 'Show the price a model name resolves to'
  static override description =
    "Resolves the name as spans carry it: exactly, then through aliases (provider prefixes like openai/ or bedrock/, region profiles like us.anthropic., version tails like -v2:0, dated versions, -latest, Anthropic's claude-4-sonnet / claude-sonnet-4 spellings, a bare name only one provider lists). Prompt-size tiers are shown with the rates a whole request above them pays. An unknown model exits 2."
  static override examples = [
    '<%= config.bin %> cost prices show gpt-4o-2024-08-06',
    '<%= config.bin %> cost prices show openai/gpt-4o-mini --json',
  ]
  static override args = { model: Args.string({ description: 'model name', required: true }) }
  static override flags = {
    provider: Flags.string({ description: 'provider (gen_ai.provider.name), to prefer its own price' }),
  }

  async run(): Promise<PriceShow> {
    const { args, flags } = await this.parse(CostPricesShow)
    const shown = await showPrice({ model: args.model, provider: flags.provider, hooks: this.config })
    this.warnPluginProblems(shown.problems)
    if (!this.jsonEnabled()) {
      const { renderPriceShow } = await import('../../../src/ui/cost-prices.js')
      this.out(renderPriceShow(shown))
    }
    return shown
  }
}
