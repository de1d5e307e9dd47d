import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { normalizeProvider } from '../llm/providers.js'
import {
  type ModelPrice,
  PRICE_TABLE_FORMAT,
  PRICE_TABLE_VERSION,
  type PriceTable,
  type PriceTier,
} from './price-table.js'

/**
 * Converts `@pydantic/genai-prices`, a maintained price database on npm, into goblin's price table. Its
 * providers list models by match rules with USD per million tokens (`input_mtok`, `output_mtok`,
 * `cache_read_mtok`, `cache_write_mtok`, `cache_write_1h_mtok`, `output_reasoning_mtok`), a price either a
 * number or `{ base, tiers: [{ start, price }] }` (the whole request at the tier's price once the prompt
 * exceeds `start`), and prices that changed over time as a list with `start_date` constraints.
 */

/** The shapes of the package's provider data that goblin reads (the package's own types, narrowed). */
export interface GenaiProvider {
  id: string
  models: GenaiModel[]
}
export interface GenaiModel {
  id: string
  match: GenaiMatch
  prices: GenaiPrices | { constraint?: { type: string; start_date?: string }; prices: GenaiPrices }[]
}
type GenaiMatch = { [rule: string]: string | GenaiMatch[] }
type GenaiPrices = Record<
  string,
  number | { base: number; tiers: { start: number; price: number }[] } | undefined
>

/** The package's per-million fields and the goblin rate each fills; audio, image and request prices aside. */
const RATE_FIELDS = [
  ['input_mtok', 'inputPerToken'],
  ['output_mtok', 'outputPerToken'],
  ['cache_read_mtok', 'cachedInputPerToken'],
  ['cache_write_mtok', 'cacheCreationInputPerToken'],
  ['cache_write_1h_mtok', 'cacheWrite1hPerToken'],
  ['output_reasoning_mtok', 'reasoningPerToken'],
] as const

/**
 * Providers whose models are filed under their bare names, as LiteLLM files them: the labs that make the
 * models. Every other provider's models are filed under `<provider>/<id>` (`gemini/gemini-2.5-pro`,
 * `openrouter/google/gemini-2.5-pro`), and the price book resolves a bare name to them when one provider
 * lists it.
 */
const BARE_NAMED = new Set(['openai', 'anthropic'])

/** The table the installed package bundles, converted; `takenAt` decides which of a model's dated prices is current. */
export async function loadGenaiPriceTable(takenAt: string): Promise<PriceTable> {
  const { waitForUpdate } = await import('@pydantic/genai-prices')
  // The package exports no package.json: find it beside the entry point it does export.
  const entry = createRequire(import.meta.url).resolve('@pydantic/genai-prices')
  const { version } = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as {
    version: string
  }
  // With no remote update requested, this resolves to the providers embedded in the package.
  const providers = (await waitForUpdate()) as GenaiProvider[] | null
  if (!providers) throw new Error('@pydantic/genai-prices returned no provider data')
  return fromGenaiPrices(providers, { takenAt, source: `@pydantic/genai-prices ${version} (npm)` })
}

/** Converts the package's provider list; models with neither an input nor an output token price are left out. */
export function fromGenaiPrices(
  providers: GenaiProvider[],
  meta: { takenAt: string; source: string },
): PriceTable {
  const models = new Map<string, ModelPrice>()
  for (const provider of providers) {
    const name = normalizeProvider(provider.id) ?? provider.id
    for (const model of provider.models) {
      const price = currentPrices(model.prices, meta.takenAt)
      const converted = price && modelPrice(price, name)
      if (!converted) continue
      for (const id of matchNames(model)) {
        const key = BARE_NAMED.has(name) ? id : `${name}/${id}`
        if (!models.has(key)) models.set(key, { model: key, ...converted })
      }
    }
  }
  return {
    format: PRICE_TABLE_FORMAT,
    version: PRICE_TABLE_VERSION,
    takenAt: meta.takenAt,
    source: meta.source,
    models: [...models.values()],
  }
}

/** The price in force on `day`: the latest dated price that began by then, time-of-day discounts aside. */
function currentPrices(prices: GenaiModel['prices'], day: string): GenaiPrices | null {
  if (!Array.isArray(prices)) return prices
  let current: GenaiPrices | null = null
  let since = ''
  for (const { constraint, prices: p } of prices) {
    if (constraint && constraint.type !== 'start_date') continue
    const start = constraint?.start_date ?? ''
    if (start <= day && start >= since) {
      current = p
      since = start
    }
  }
  return current
}

function modelPrice(prices: GenaiPrices, provider: string): Omit<ModelPrice, 'model'> | null {
  const base: Partial<Record<(typeof RATE_FIELDS)[number][1], number>> = {}
  const tiers = new Map<number, PriceTier>()
  for (const [field, rate] of RATE_FIELDS) {
    const price = prices[field]
    if (price === undefined) continue
    if (typeof price === 'number') {
      base[rate] = perToken(price)
      continue
    }
    base[rate] = perToken(price.base)
    for (const { start, price: tierPrice } of price.tiers) {
      const tier = tiers.get(start) ?? { aboveInputTokens: start }
      tier[rate] = perToken(tierPrice)
      tiers.set(start, tier)
    }
  }
  if (base.inputPerToken === undefined && base.outputPerToken === undefined) return null
  return {
    provider,
    ...base,
    inputPerToken: base.inputPerToken ?? 0,
    outputPerToken: base.outputPerToken ?? 0,
    ...(tiers.size > 0
      ? { tiers: [...tiers.values()].sort((a, b) => a.aboveInputTokens - b.aboveInputTokens) }
      : {}),
  }
}

/** USD per million → per token, as the decimal it is (`0.4 / 1e6` would be 4.0000000000000003e-7). */
function perToken(perMillion: number): number {
  return Number(`${perMillion}e-6`)
}

/**
 * The names a model's match rule accepts exactly: its id, every `equals`, and every `starts_with` prefix
 * (the dated names it also accepts resolve through the price book's date rules). `contains`, `ends_with`
 * and `regex` rules name no model of their own and are not turned into keys.
 */
function matchNames(model: GenaiModel): string[] {
  const names = new Set([model.id.toLowerCase()])
  const walk = (match: GenaiMatch) => {
    for (const [rule, value] of Object.entries(match)) {
      if ((rule === 'equals' || rule === 'starts_with') && typeof value === 'string')
        names.add(value.toLowerCase())
      else if (rule === 'or' && Array.isArray(value)) value.forEach(walk)
    }
  }
  walk(model.match)
  return [...names]
}
