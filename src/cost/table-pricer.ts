import { statSync } from 'node:fs'
import type { CallPricer } from '../collector/llm-calls.js'
import type { PriceBook } from './price-book.js'
import { loadTablePrices } from './price-sources.js'
import { importedPricesPath } from './price-store.js'
import { priceTokens } from './usage-cost.js'

/**
 * The pricer the collector's LLM-call index is given: the call's own cost, else its tokens x the bundled
 * and imported tables (cache writes at one rate, as reports price them), null for a model no table knows.
 * The imported table is read again when `goblin cost prices import` replaces it, so a running collector
 * picks up new prices without a restart.
 */
export function tablePricer(home: string): CallPricer {
  let book: PriceBook | undefined
  let importedAt = -1
  let checkedAt = 0
  return (call) => {
    if (call.ownCostUsd !== null) return call.ownCostUsd
    const now = Date.now()
    if (!book || now - checkedAt > 5_000) {
      checkedAt = now
      const mtime = fileMtime(importedPricesPath(home))
      if (!book || mtime !== importedAt) {
        book = loadTablePrices(home)
        importedAt = mtime
      }
    }
    const match = call.model ? book.resolve(call.model, call.provider) : null
    if (!match) return null
    const t = call.tokens
    return priceTokens(
      {
        input: t.input,
        output: t.output,
        cacheRead: t.cacheRead,
        cacheCreation: t.cacheWrite5m + t.cacheWrite1h,
      },
      match.price,
    )
  }
}

function fileMtime(path: string): number {
  try {
    return statSync(path).mtimeMs
  } catch {
    return 0
  }
}
