import { usageError } from '../core/errors.js'
import { type ModelPrice, PRICE_TABLE_FORMAT, PRICE_TABLE_VERSION, type PriceTable } from './price-table.js'

/**
 * Reads LiteLLM's `model_prices_and_context_window.json`: an object keyed by model name whose entries carry
 * `input_cost_per_token`, `output_cost_per_token`, `cache_read_input_token_cost`,
 * `cache_creation_input_token_cost`, `litellm_provider` and `mode`. Entries priced otherwise (per image, per
 * second, per query, tiered) are skipped and counted; a malformed per-token price is an error naming the key.
 */

/** The documentation entry at the top of LiteLLM's file, not a model. */
const SAMPLE_SPEC_KEY = 'sample_spec'

export interface LiteLlmConversion {
  table: PriceTable
  /** Entries without per-token prices (images, audio seconds, search queries, tiered prices). */
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
    if (key === SAMPLE_SPEC_KEY) continue
    if (!isPlainObject(entry)) {
      throw malformed(where, key, 'the entry is not an object')
    }
    const input = tokenPrice(entry, 'input_cost_per_token', where, key)
    const output = tokenPrice(entry, 'output_cost_per_token', where, key)
    if (input === undefined && output === undefined) {
      skipped++
      continue
    }
    const cachedInput = tokenPrice(entry, 'cache_read_input_token_cost', where, key)
    const cacheCreation = tokenPrice(entry, 'cache_creation_input_token_cost', where, key)
    const provider = entry.litellm_provider
    if (provider !== undefined && (typeof provider !== 'string' || provider === '')) {
      throw malformed(where, key, 'litellm_provider is not a non-empty string')
    }
    const mode = typeof entry.mode === 'string' ? entry.mode : undefined
    models.push({
      model: key,
      provider: provider ?? providerFromKey(key),
      // LiteLLM itself prices a missing side at 0 (embeddings carry no output price).
      inputPerToken: input ?? 0,
      outputPerToken: output ?? 0,
      ...(cachedInput === undefined ? {} : { cachedInputPerToken: cachedInput }),
      ...(cacheCreation === undefined ? {} : { cacheCreationInputPerToken: cacheCreation }),
      ...(mode ? { mode } : {}),
    })
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

function tokenPrice(
  entry: Record<string, unknown>,
  field: string,
  where: string,
  key: string,
): number | undefined {
  const value = entry[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw malformed(where, key, `${field} must be a non-negative number, got ${JSON.stringify(value)}`)
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
