import type { LlmUsage } from './llm-usage.js'
import type { PriceBook } from './price-book.js'
import type { ModelPrice } from './price-table.js'

/** Token counts of one call or of many summed; `input` includes the cache-read and cache-creation tokens. */
export interface TokenCounts {
  input: number
  output: number
  cacheRead: number
  cacheCreation: number
}

/**
 * USD for token counts at a model's price. Cache-read and cache-creation tokens are part of `input` and are
 * priced once, at their own rates (the input rate when the table has none); the rest of `input` at the input rate.
 */
export function priceTokens(tokens: TokenCounts, price: ModelPrice): number {
  const cached = Math.min(tokens.cacheRead, tokens.input)
  const creation = Math.min(tokens.cacheCreation, tokens.input - cached)
  const plain = tokens.input - cached - creation
  return (
    plain * price.inputPerToken +
    cached * (price.cachedInputPerToken ?? price.inputPerToken) +
    creation * (price.cacheCreationInputPerToken ?? price.inputPerToken) +
    tokens.output * price.outputPerToken
  )
}

/** Rounds USD to a nano-dollar, so sums of many float products compare exactly against a budget. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e9) / 1e9
}

/**
 * The cost of one LLM span: its `llm.cost` when set (it wins), else its tokens x the model's price;
 * null when the model is unknown (never priced as 0).
 */
export function costOfUsage(
  usage: LlmUsage,
  book: PriceBook,
): { usd: number; source: 'span' | 'price' } | null {
  if (usage.cost !== null) return { usd: usage.cost, source: 'span' }
  const match = usage.model ? book.resolve(usage.model, usage.provider) : null
  if (!match) return null
  const tokens = {
    input: usage.inputTokens,
    output: usage.outputTokens,
    cacheRead: usage.cacheReadTokens,
    cacheCreation: usage.cacheCreationTokens,
  }
  return { usd: priceTokens(tokens, match.price), source: 'price' }
}
