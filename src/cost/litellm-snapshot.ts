import { readFileSync } from 'node:fs'
import { fromLiteLlm } from './litellm-prices.js'
import type { PriceTable } from './price-table.js'

/**
 * The copy of LiteLLM's whole `model_prices_and_context_window.json` kept in `vendor/litellm/` (MIT, see its
 * README for where and when it was taken), read at build into goblin's format beside the compiled price store.
 * Build- and test-time only: the vendored file is not part of the installed package, its conversion is.
 */
export const LITELLM_SNAPSHOT_PATH = 'vendor/litellm/model_prices_and_context_window.json'

/** The vendored file converted; its `last_updated` (the mirror's sync time) dates the table. */
export function loadLiteLlmSnapshot(repoRoot: URL): PriceTable {
  const text = readFileSync(new URL(LITELLM_SNAPSHOT_PATH, repoRoot), 'utf8')
  const doc = JSON.parse(text) as { last_updated?: unknown }
  const takenAt = typeof doc.last_updated === 'string' ? doc.last_updated.slice(0, 10) : undefined
  if (!takenAt) throw new Error(`${LITELLM_SNAPSHOT_PATH}: no last_updated date`)
  const source = `LiteLLM model_prices_and_context_window.json (github.com/BerriAI/litellm, MIT), as on its main branch on ${takenAt}: the whole table, ${LITELLM_SNAPSHOT_PATH}`
  return fromLiteLlm(doc, LITELLM_SNAPSHOT_PATH, { takenAt, source }).table
}
