import { Args, Flags } from '@oclif/core'
import { GoblinCommand } from '../../../src/cli/base-command.js'
import { type PriceShow, showPrice } from '../../../src/cost/price-queries.js'

export default class CostPricesShow extends GoblinCommand {
  static override summary = 'Show the price a model name resolves to'
  static override description =
    'Resolves the name as spans carry it: exactly, then through aliases (provider prefixes like openai/ or bedrock/, region profiles like us.anthropic., version tails like -v2:0, dated versions, -latest). An unknown model exits 2.'
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
    for (const p of shown.problems)
      this.note(`warning: plugin ${p.plugin}: its ${p.hook} hook was skipped: ${p.message}`)
    if (!this.jsonEnabled()) {
      const { formatPerMillion } = await import('../../../src/ui/cost-format.js')
      const p = shown.price
      const how = shown.matchedBy === 'exact' ? '' : ` (alias of ${p.model})`
      this.out(`${shown.requested}${how}: ${p.provider}, from ${p.origin} prices`)
      this.out(`  input          ${formatPerMillion(p.inputPerToken)} / 1M tokens`)
      this.out(`  cached input   ${formatPerMillion(p.cachedInputPerToken ?? p.inputPerToken)} / 1M tokens`)
      this.out(
        `  cache writes   ${formatPerMillion(p.cacheCreationInputPerToken ?? p.inputPerToken)} / 1M tokens`,
      )
      this.out(`  output         ${formatPerMillion(p.outputPerToken)} / 1M tokens`)
    }
    return shown
  }
}
