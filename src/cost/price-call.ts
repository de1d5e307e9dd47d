import type { LlmCall } from '../llm/llm-call.js'
import type { PriceBook } from './price-book.js'
import { priceTokens, roundUsd } from './usage-cost.js'

/** How a call's USD was found: its own cost, the price table, or not at all (never a silent $0). */
export type PriceStatus = 'own' | 'priced' | 'unmetered' | 'unknown-model'

export interface CallPrice {
  status: PriceStatus
  /** USD to a nano-dollar; null unless `own` or `priced`. */
  usd: number | null
}

/**
 * The one pricing of an LLM call: its own cost when the sender knew it, else its tokens x the model's price
 * (cache reads and writes at their rates, reasoning inside the output); a call without token counts is
 * unmetered and a model missing from the table is unknown, both with no USD rather than zero.
 */
export function priceCall(
  call: Pick<LlmCall, 'model' | 'provider' | 'tokens' | 'metered' | 'ownCostUsd'>,
  book: PriceBook,
): CallPrice {
  if (call.ownCostUsd !== null) return { status: 'own', usd: roundUsd(call.ownCostUsd) }
  if (!call.metered) return { status: 'unmetered', usd: null }
  const match = call.model ? book.resolve(call.model, call.provider) : null
  if (!match) return { status: 'unknown-model', usd: null }
  const t = call.tokens
  const usd = priceTokens(
    {
      input: t.input,
      output: t.output,
      cacheRead: t.cacheRead,
      cacheCreation: t.cacheWrite5m + t.cacheWrite1h,
    },
    match.price,
  )
  return { status: 'priced', usd: roundUsd(usd) }
}
