// Build step (after tsc): converts the @pydantic/genai-prices database the build installed into goblin's
// price format, next to the compiled price store, so no command pays for loading and converting the
// package (about 60 ms) at start-up. The table is generated, not kept in git.
import { mkdirSync, writeFileSync } from 'node:fs'
import { loadGenaiPriceTable } from '../dist/src/cost/genai-prices.js'
import { BUNDLED_PRICES_FILE } from '../dist/src/cost/price-store.js'

const out = new URL(`../dist/src/cost/${BUNDLED_PRICES_FILE}`, import.meta.url)
const table = await loadGenaiPriceTable(new Date().toISOString().slice(0, 10))
mkdirSync(new URL('.', out), { recursive: true })
writeFileSync(out, `${JSON.stringify(table)}\n`)
