import { noTokens } from '../llm/llm-call.js'
import type { LlmUsage } from './llm-usage.js'
import type { PriceBook } from './price-book.js'
import { costOfTokens, roundUsd } from './price-call.js'
import type { ModelPrice } from './price-table.js'

/** Token counts of one call or of many summed; `input` includes the cache-read and cache-creation tokens. */
export interface TokenCounts {
  input: number
  output: number
  cacheRead: number
  cacheCreation: number
}

/** USD for token counts at a model's price, through the one rate computation in price-call.ts. */
export function priceTokens(tokens: TokenCounts, price: ModelPrice): number {
  return costOfTokens(
    {
      ...noTokens(),
      input: tokens.input,
      output: tokens.output,
      cacheRead: tokens.cacheRead,
      cacheWrite5m: tokens.cacheCreation,
    },
    price,
  )
}

export { roundUsd }

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
