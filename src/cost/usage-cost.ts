import type { TokenCounts } from '../collector/usage-groups.js'
import { noTokens } from '../llm/llm-call.js'
import { costOfTokens, roundUsd } from './price-call.js'
import type { ModelPrice } from './price-table.js'

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
