import { usageError } from '../core/errors.js'
import type { HookRunner, PluginProblem } from '../plugins/hook-runner.js'
import type { PriceMatch } from './price-book.js'
import { ratesFor } from './price-call.js'
import { unknownModelError } from './price-queries.js'
import { loadPrices } from './price-sources.js'
import { priceTokens, roundUsd } from './usage-cost.js'

export interface CostEstimate {
  model: string
  /** The price-table entry used (after aliases). */
  pricedAs: string
  provider: string
  origin: string
  inputTokens: number
  outputTokens: number
  cachedInputTokens: number
  cacheCreationInputTokens: number
  usd: number
  /** USD by part: uncached input, cached input, cache creation, output. */
  parts: { input: number; cachedInput: number; cacheCreation: number; output: number }
  problems: PluginProblem[]
}

/**
 * The price of one call: input tokens (including any cached and cache-creation tokens, priced at their own
 * rates) and output tokens. An unknown model is an error with suggestions, never a price of 0.
 */
export async function estimateCost(options: {
  model: string
  provider?: string
  inputTokens: number
  outputTokens: number
  cachedInputTokens?: number
  cacheCreationInputTokens?: number
  hooks?: HookRunner
  home?: string
}): Promise<CostEstimate> {
  const cached = options.cachedInputTokens ?? 0
  const creation = options.cacheCreationInputTokens ?? 0
  if (cached + creation > options.inputTokens) {
    throw usageError(
      'COST_BAD_TOKENS',
      `--cached-input-tokens + --cache-creation-tokens (${cached + creation}) exceed --input-tokens (${options.inputTokens})`,
      'Input tokens include the cached and cache-creation tokens (the OpenTelemetry GenAI convention).',
    )
  }
  const prices = await loadPrices({ home: options.home, hooks: options.hooks })
  const match: PriceMatch | null = prices.book.resolve(options.model, options.provider)
  if (!match) throw unknownModelError(options.model, prices.book.suggest(options.model))
  const p = match.price
  const tokens = {
    input: options.inputTokens,
    output: options.outputTokens,
    cacheRead: cached,
    cacheCreation: creation,
  }
  // At the tier the prompt reaches, as the total is.
  const rates = ratesFor(p, options.inputTokens)
  const parts = {
    input: roundUsd((options.inputTokens - cached - creation) * rates.input),
    cachedInput: roundUsd(cached * rates.cacheRead),
    cacheCreation: roundUsd(creation * rates.cacheWrite5m),
    output: roundUsd(options.outputTokens * rates.output),
  }
  return {
    model: options.model,
    pricedAs: match.key,
    provider: p.provider,
    origin: p.origin,
    inputTokens: options.inputTokens,
    outputTokens: options.outputTokens,
    cachedInputTokens: cached,
    cacheCreationInputTokens: creation,
    usd: roundUsd(priceTokens(tokens, p)),
    parts,
    problems: prices.problems,
  }
}
