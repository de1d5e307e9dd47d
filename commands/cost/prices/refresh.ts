import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../../../src/cli/base-command.js'
import { startProgress } from '../../../src/cli/progress.js'
import { parseHttpUrl } from '../../../src/core/http-url.js'
import { importPrices, LITELLM_PRICES_URL, type PriceImportResult } from '../../../src/cost/price-store.js'

export default class CostPricesRefresh extends GoblinCommand {
  static override summary = "Fetch LiteLLM's current price file and import it (network)"
  static override description =
    `Downloads LiteLLM's model_prices_and_context_window.json (${LITELLM_PRICES_URL}), validates every price and replaces the imported table atomically, as \`cost prices import <URL>\` does. Unreachable (no network, a proxy, a timeout) exits 3 and a malformed file exits 2; either way the previous table stays in force.`
  static override examples = [
    '<%= config.bin %> cost prices refresh',
    '<%= config.bin %> cost prices refresh --url https://mirror.example.com/model_prices_and_context_window.json',
  ]
  static override flags = {
    url: Flags.string({
      description: "where to fetch LiteLLM's price file from (a mirror)",
      default: LITELLM_PRICES_URL,
    }),
  }

  async run(): Promise<PriceImportResult> {
    const { flags } = await this.parse(CostPricesRefresh)
    parseHttpUrl(flags.url, '--url')
    const progress = startProgress(this.stderrFacts)
    progress.update(`downloading LiteLLM's price table from ${flags.url}`)
    const result = await importPrices({ source: flags.url }).finally(() => progress.done())
    this.out(
      `imported ${result.models} model prices from ${result.source} (taken ${result.takenAt}) into ${result.path}`,
    )
    return result
  }
}
