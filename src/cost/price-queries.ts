import { usageError } from '../core/errors.js'
import { normalizeProvider } from '../llm/providers.js'
import type { HookRunner, PluginProblem } from '../plugins/hook-runner.js'
import type { MatchKind } from './price-book.js'
import { loadPrices, type PriceTableInfo } from './price-sources.js'
import type { SourcedPrice } from './price-table.js'

export interface PriceList {
  tables: PriceTableInfo[]
  models: SourcedPrice[]
  problems: PluginProblem[]
}

/** Every price in force (bundled, imported, plugins), optionally only one provider's or names containing `search`. */
export async function listPrices(
  options: { provider?: string; search?: string; hooks?: HookRunner; home?: string } = {},
): Promise<PriceList> {
  const prices = await loadPrices({ home: options.home, hooks: options.hooks })
  const search = options.search?.toLowerCase()
  // One provider whatever each table calls it (LiteLLM's `bedrock_converse`, genai-prices' `aws`: `bedrock`).
  const provider = normalizeProvider(options.provider ?? null)
  const models = prices.book
    .list()
    .filter(
      (p) =>
        (!provider || normalizeProvider(p.provider) === provider) &&
        (!search || p.model.toLowerCase().includes(search)),
    )
  return { tables: prices.tables, models, problems: prices.problems }
}

export interface PriceShow {
  requested: string
  matchedBy: MatchKind
  price: SourcedPrice
  tables: PriceTableInfo[]
  problems: PluginProblem[]
}

/** The price a model name resolves to, and how (exact or alias); unknown models are a usage error with suggestions. */
export async function showPrice(options: {
  model: string
  provider?: string
  hooks?: HookRunner
  home?: string
}): Promise<PriceShow> {
  const prices = await loadPrices({ home: options.home, hooks: options.hooks })
  const match = prices.book.resolve(options.model, options.provider)
  if (!match) throw unknownModelError(options.model, prices.book.suggest(options.model))
  return {
    requested: options.model,
    matchedBy: match.matchedBy,
    price: match.price,
    tables: prices.tables,
    problems: prices.problems,
  }
}

/** The error for a model no price table knows: exit 2, with look-alike names and how to refresh prices. */
export function unknownModelError(model: string, like: string[]) {
  return usageError(
    'COST_UNKNOWN_MODEL',
    `unknown model "${model}": it is in no price table (bundled, imported or plugin)`,
    like.length > 0
      ? `Did you mean ${like.join(', ')}? Or import current prices: goblin cost prices import <file|URL>.`
      : 'Import current prices: goblin cost prices import <LiteLLM model_prices_and_context_window.json or URL>.',
  )
}
