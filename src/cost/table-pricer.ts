import { statSync } from 'node:fs'
import type { CallPricer } from '../collector/llm-calls.js'
import type { PriceBook } from './price-book.js'
import { priceCall } from './price-call.js'
import { loadTablePrices } from './price-sources.js'
import { importedPricesPath } from './price-store.js'

/**
 * The pricer the collector's LLM-call index is given (for `trace list`'s cost and `goblin_cost_usd_total`):
 * `priceCall` with the bundled and imported tables, so a call is priced as `trace show` and reports price it
 * (tiers, 5-minute and 1-hour cache writes, reasoning); null for a model no table knows or a call without
 * token counts. The imported table is read again when `goblin cost prices import` replaces it, so a running
 * collector picks up new prices without a restart.
 */
export function tablePricer(home: string): CallPricer {
  let book: PriceBook | undefined
  let importedAt = -1
  let checkedAt = 0
  return (call) => {
    const now = Date.now()
    if (!book || now - checkedAt > 5_000) {
      checkedAt = now
      const mtime = fileMtime(importedPricesPath(home))
      if (!book || mtime !== importedAt) {
        book = loadTablePrices(home)
        importedAt = mtime
      }
    }
    return priceCall(call, book).usd
  }
}

function fileMtime(path: string): number {
  try {
    return statSync(path).mtimeMs
  } catch {
    return 0
  }
}
