import type { TokenCounts } from '../collector/usage-groups.js'
import { noTokens } from '../llm/llm-call.js'
import { costOfTokens, roundUsd } from './price-call.js'
import type { ModelPrice } from './price-table.js'

/**
 * USD for token counts at a model's price, through the one rate computation in price-call.ts. `requestInput`
 * picks the tier (default `tokens.input`): summed tokens of many calls pass the prompt size of one of them.
 */
export function priceTokens(tokens: TokenCounts, price: ModelPrice, requestInput?: number): number {
  const cacheWrite1h = tokens.cacheWrite1h ?? 0
  return costOfTokens(
    {
      ...noTokens(),
      input: tokens.input,
      output: tokens.output,
      cacheRead: tokens.cacheRead,
      cacheWrite5m: tokens.cacheCreation - cacheWrite1h,
      cacheWrite1h,
      reasoning: tokens.reasoning ?? 0,
    },
    price,
    requestInput,
  )
}

export { roundUsd }
