import { roundUsd } from '../core/usd.js'
import type { CallTokens, PricedCall } from '../llm/llm-call.js'
import type { PriceBook } from './price-book.js'
import type { ModelPrice } from './price-table.js'

/**
 * How a call's cost was decided: `own` the sender reported it, `priced` tokens x the price book,
 * `unmetered` the sender reported no token count, `unknown-model` no price table knows the model.
 */
export type PriceStatus = 'own' | 'priced' | 'unmetered' | 'unknown-model'

export interface CallPrice {
  status: PriceStatus
  /** USD, rounded to a nano-dollar; null unless `own` or `priced` (an unknowable cost is never 0). */
  usd: number | null
  /** The price-table key the model resolved to; null when it resolved to none. */
  priceKey: string | null
}

export type { PricedCall }
export { roundUsd }

/**
 * The one pricing function every consumer uses: the sender's own cost when it reported one, else the call's
 * tokens x its model's price. `requestInput` is the prompt size that picks the tier (default
 * `call.tokens.input`): a report prices a group of calls of one tier class by passing their summed tokens
 * and a representative prompt size (see `PriceBook.tierThresholds`).
 */
export function priceCall(
  call: PricedCall,
  book: PriceBook,
  opts: { requestInput?: number } = {},
): CallPrice {
  const match = call.model ? book.resolve(call.model, call.provider) : null
  const priceKey = match?.key ?? null
  if (call.ownCostUsd !== null) return { status: 'own', usd: roundUsd(call.ownCostUsd), priceKey }
  // No token counts make the cost unknowable whatever the price, so an unmetered call is unmetered first.
  if (!call.metered) return { status: 'unmetered', usd: null, priceKey }
  if (!match) return { status: 'unknown-model', usd: null, priceKey }
  const usd = costOfTokens(call.tokens, match.price, opts.requestInput ?? call.tokens.input)
  return { status: 'priced', usd: roundUsd(usd), priceKey }
}

/** The per-token rates a request pays: the model's base rates, overridden by the tier its prompt size reaches. */
export interface EffectiveRates {
  input: number
  output: number
  cacheRead: number
  cacheWrite5m: number
  cacheWrite1h: number
  reasoning: number
}

/** The rates for a request whose prompt has `requestInput` tokens. */
export function ratesFor(price: ModelPrice, requestInput: number): EffectiveRates {
  let rates = { ...price }
  for (const tier of price.tiers ?? []) {
    if (requestInput > tier.aboveInputTokens) rates = { ...rates, ...definedRates(tier) }
  }
  const input = rates.inputPerToken
  const cacheWrite5m = rates.cacheCreationInputPerToken ?? input
  return {
    input,
    output: rates.outputPerToken,
    cacheRead: rates.cachedInputPerToken ?? input,
    cacheWrite5m,
    cacheWrite1h: rates.cacheWrite1hPerToken ?? cacheWrite5m,
    reasoning: rates.reasoningPerToken ?? rates.outputPerToken,
  }
}

/**
 * Unrounded USD for tokens at a model's price. Cache reads and writes are part of `input` and are billed
 * once, at their own rates; reasoning is part of `output`, at the reasoning rate when the table has one.
 * Counts that claim more cache or reasoning tokens than the total are clamped to it.
 */
export function costOfTokens(
  tokens: CallTokens,
  price: ModelPrice,
  requestInput: number = tokens.input,
): number {
  const r = ratesFor(price, requestInput)
  const cacheRead = Math.min(tokens.cacheRead, tokens.input)
  const write5m = Math.min(tokens.cacheWrite5m, tokens.input - cacheRead)
  const write1h = Math.min(tokens.cacheWrite1h, tokens.input - cacheRead - write5m)
  const plainInput = tokens.input - cacheRead - write5m - write1h
  const reasoning = Math.min(tokens.reasoning, tokens.output)
  return (
    plainInput * r.input +
    cacheRead * r.cacheRead +
    write5m * r.cacheWrite5m +
    write1h * r.cacheWrite1h +
    (tokens.output - reasoning) * r.output +
    reasoning * r.reasoning
  )
}

function definedRates(tier: object): Partial<ModelPrice> {
  return Object.fromEntries(
    Object.entries(tier).filter(([key, v]) => key !== 'aboveInputTokens' && v !== undefined),
  )
}
