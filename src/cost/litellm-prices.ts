import { usageError } from '../core/errors.js'
import { type ModelPrice, PRICE_TABLE_FORMAT, PRICE_TABLE_VERSION, type PriceTable } from './price-table.js'

/**
 * Reads LiteLLM's `model_prices_and_context_window.json`: an object keyed by model name whose entries carry
 * per-token prices (`input_cost_per_token`, `output_cost_per_token`, `output_cost_per_reasoning_token`),
 * cache prices (`cache_read_input_token_cost`, `cache_creation_input_token_cost` for the 5-minute cache,
 * `cache_creation_input_token_cost_above_1hr`), prompt-size tiers (`*_above_200k_tokens`, or a
 * `tiered_pricing` list of prompt ranges), `litellm_provider` and `mode`. Entries priced otherwise (per image,
 * second or query) are skipped and counted; top-level values that are not entries (a mirror's
 * `last_updated`) are ignored; a malformed price is an error naming the key and field.
 */

/** The documentation entry at the top of LiteLLM's file, not a model. */
const SAMPLE_SPEC_KEY = 'sample_spec'

/** A LiteLLM rate field and the goblin rate it fills, in a model's base rates and in each tier. */
const RATE_FIELDS = [
  ['input_cost_per_token', 'inputPerToken'],
  ['output_cost_per_token', 'outputPerToken'],
  ['cache_read_input_token_cost', 'cachedInputPerToken'],
  ['cache_creation_input_token_cost', 'cacheCreationInputPerToken'],
  ['cache_creation_input_token_cost_above_1hr', 'cacheWrite1hPerToken'],
  ['output_cost_per_reasoning_token', 'reasoningPerToken'],
] as const
type Rate = (typeof RATE_FIELDS)[number][1]

/** `<rate field>_above_<N>k_tokens`: the rate for a request whose prompt exceeds N thousand tokens. */
const TIER_FIELD = /^(.+)_above_(\d+)k_tokens$/

export interface LiteLlmConversion {
  table: PriceTable
  /** Entries without per-token prices (images, audio seconds, search queries). */
  skipped: number
}

/** True when a parsed JSON document looks like LiteLLM's price file (rather than goblin's own format). */
export function looksLikeLiteLlm(doc: unknown): doc is Record<string, unknown> {
  if (!isPlainObject(doc)) return false
  return Object.entries(doc).some(
    ([key, value]) =>
      key !== SAMPLE_SPEC_KEY &&
      isPlainObject(value) &&
      ('litellm_provider' in value || 'input_cost_per_token' in value || 'output_cost_per_token' in value),
  )
}

/** Converts a parsed LiteLLM price document into a goblin price table. `where` names the file in errors. */
export function fromLiteLlm(
  doc: unknown,
  where: string,
  meta: { takenAt: string; source: string },
): LiteLlmConversion {
  if (!isPlainObject(doc)) {
    throw usageError(
      'PRICES_MALFORMED',
      `${where}: a LiteLLM price file is a JSON object keyed by model name`,
      'Point goblin at model_prices_and_context_window.json from the LiteLLM repository.',
    )
  }
  const models: ModelPrice[] = []
  let skipped = 0
  for (const [key, entry] of Object.entries(doc)) {
    if (key === SAMPLE_SPEC_KEY || !isPlainObject(entry)) continue
    const price = modelPrice(key, entry, where)
    if (price) models.push(price)
    else skipped++
  }
  if (models.length === 0) {
    throw usageError(
      'PRICES_EMPTY',
      `${where}: no model with a per-token price (${skipped} entries priced otherwise)`,
      'Is this model_prices_and_context_window.json? The previous price table is kept.',
    )
  }
  return {
    table: {
      format: PRICE_TABLE_FORMAT,
      version: PRICE_TABLE_VERSION,
      takenAt: meta.takenAt,
      source: meta.source,
      models,
    },
    skipped,
  }
}

/** One entry's prices, or null when it has no per-token price. */
function modelPrice(key: string, entry: Record<string, unknown>, where: string): ModelPrice | null {
  const ranges = priceRanges(key, entry, where)
  const base = ranges?.[0]?.rates ?? rates(entry, (field) => field, where, key)
  if (base.inputPerToken === undefined && base.outputPerToken === undefined) return null
  const provider = entry.litellm_provider
  if (provider !== undefined && (typeof provider !== 'string' || provider === '')) {
    throw malformed(where, key, 'litellm_provider is not a non-empty string')
  }
  const tiers = ranges ? ranges.slice(1) : thresholdTiers(key, entry, where)
  const mode = typeof entry.mode === 'string' ? entry.mode : undefined
  return {
    model: key,
    provider: provider ?? providerFromKey(key),
    ...base,
    // LiteLLM itself prices a missing side at 0 (embeddings carry no output price).
    inputPerToken: base.inputPerToken ?? 0,
    outputPerToken: base.outputPerToken ?? 0,
    ...(tiers.length > 0
      ? { tiers: tiers.map((tier) => ({ aboveInputTokens: tier.above, ...tier.rates })) }
      : {}),
    ...(mode ? { mode } : {}),
  }
}

interface Tier {
  above: number
  rates: Partial<Record<Rate, number>>
}

/** The rates an entry (or one of its tiers, through `field`) names; absent rates are left out. */
function rates(
  entry: Record<string, unknown>,
  field: (name: string) => string,
  where: string,
  key: string,
  path = '',
): Partial<Record<Rate, number>> {
  const out: Partial<Record<Rate, number>> = {}
  for (const [name, rate] of RATE_FIELDS) {
    const value = tokenPrice(entry, field(name), where, key, path)
    if (value !== undefined) out[rate] = value
  }
  return out
}

/** Tiers from `*_above_<N>k_tokens` fields, ascending (`_priority`/`_flex` service-tier variants aside). */
function thresholdTiers(key: string, entry: Record<string, unknown>, where: string): Tier[] {
  const thresholds = new Set<number>()
  for (const field of Object.keys(entry)) {
    const tier = TIER_FIELD.exec(field)
    if (tier && RATE_FIELDS.some(([name]) => name === tier[1])) thresholds.add(Number(tier[2]))
  }
  return [...thresholds]
    .sort((a, b) => a - b)
    .map((k) => ({
      above: k * 1000,
      rates: rates(entry, (name) => `${name}_above_${k}k_tokens`, where, key),
    }))
}

/**
 * LiteLLM's `tiered_pricing`: prompt-size ranges (`range: [from, to]`), each with its own rates; the range
 * from 0 is the base and every later one a tier above its start. Null when the entry has no such list, or
 * one of other ranges (search results priced per query carry `max_results_range` instead).
 */
function priceRanges(key: string, entry: Record<string, unknown>, where: string): Tier[] | null {
  const list = entry.tiered_pricing
  if (list === undefined) return null
  if (!Array.isArray(list)) throw malformed(where, key, 'tiered_pricing is not a list of ranges')
  if (!list.some((range) => isPlainObject(range) && 'range' in range)) return null
  const tiers = list.map((range, i) => {
    const from = isPlainObject(range) && Array.isArray(range.range) ? range.range[0] : undefined
    if (!isPlainObject(range) || typeof from !== 'number' || !Number.isInteger(from) || from < 0) {
      throw malformed(where, key, `tiered_pricing[${i}].range must start with a whole number of tokens`)
    }
    return { above: from, rates: rates(range, (name) => name, where, key, `tiered_pricing[${i}].`) }
  })
  tiers.sort((a, b) => a.above - b.above)
  if (tiers[0]?.above !== 0) throw malformed(where, key, 'tiered_pricing has no range from 0 tokens')
  return tiers
}

function tokenPrice(
  entry: Record<string, unknown>,
  field: string,
  where: string,
  key: string,
  path = '',
): number | undefined {
  const value = entry[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw malformed(where, key, `${path}${field} must be a non-negative number, got ${JSON.stringify(value)}`)
  }
  return value
}

function malformed(where: string, key: string, problem: string) {
  return usageError(
    'PRICES_MALFORMED',
    `${where}: model "${key}": ${problem}`,
    'Fix or re-download the price file; the previous price table is kept.',
  )
}

function providerFromKey(key: string): string {
  const slash = key.indexOf('/')
  return slash > 0 ? key.slice(0, slash) : 'unknown'
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
