// Build step (after tsc): converts the price tables goblin ships into goblin's price format, next to the
// compiled price store, so no command pays for loading and converting them at start-up: the
// @pydantic/genai-prices database the build installed (about 60 ms to load), and the copy of LiteLLM's
// whole table in vendor/litellm (1.5 MB of JSON, about 30 ms to parse and convert). Generated, not kept in git.
import { mkdirSync, writeFileSync } from 'node:fs'
import { loadGenaiPriceTable } from '../dist/src/cost/genai-prices.js'
import { loadLiteLlmSnapshot } from '../dist/src/cost/litellm-snapshot.js'
import { BUNDLED_PRICES_FILE, LITELLM_PRICES_FILE } from '../dist/src/cost/price-store.js'

const write = (file, table) => {
  const out = new URL(`../dist/src/cost/${file}`, import.meta.url)
  mkdirSync(new URL('.', out), { recursive: true })
  writeFileSync(out, `${JSON.stringify(table)}\n`)
}
write(BUNDLED_PRICES_FILE, await loadGenaiPriceTable(new Date().toISOString().slice(0, 10)))
write(LITELLM_PRICES_FILE, loadLiteLlmSnapshot(new URL('../', import.meta.url)))
