import * as Args from '@oclif/core/args'
import { GoblinCommand } from '../../../src/cli/base-command.js'
import { parseHttpUrl } from '../../../src/core/http-url.js'
import { importPrices, type PriceImportResult } from '../../../src/cost/price-store.js'

export default class CostPricesImport extends GoblinCommand {
  static override summary =
    "Import model prices from LiteLLM's price file (or goblin's format), from a file or URL"
  static override description =
    "Reads LiteLLM's model_prices_and_context_window.json (or a goblin-prices table), validates every price, and replaces the imported table atomically; imported prices override the bundled snapshot. A malformed file exits 2 and an unreachable URL exits 3, and either way the previous table stays in force."
  static override examples = [
    '<%= config.bin %> cost prices import ./model_prices_and_context_window.json',
    '<%= config.bin %> cost prices import https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json',
  ]
  static override args = { source: Args.string({ description: 'file path or http(s) URL', required: true }) }

  async run(): Promise<PriceImportResult> {
    const { args } = await this.parse(CostPricesImport)
    if (args.source.includes('://')) parseHttpUrl(args.source, 'source')
    const result = await importPrices({ source: args.source })
    this.out(
      `imported ${result.models} model prices (${result.format} format${result.skipped ? `, ${result.skipped} entries not priced per token skipped` : ''}) into ${result.path}`,
    )
    return result
  }
}
