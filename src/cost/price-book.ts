import { normalizeProvider } from '../llm/providers.js'
import {
  lastSegment,
  otherClaudeSpelling,
  REGION_PREFIX,
  stripDate,
  stripVersion,
  VENDOR_PREFIX,
} from './model-names.js'
import type { ModelPrice, PriceOrigin, SourcedPrice } from './price-table.js'

/** How a model name found its price: the name itself, or one of the usual aliases. */
export type MatchKind = 'exact' | 'alias'

export interface PriceMatch {
  price: SourcedPrice
  matchedBy: MatchKind
  /** The table key that matched. */
  key: string
}

/** A layer of prices; later layers override earlier ones for the models they name. */
export interface PriceLayer {
  origin: PriceOrigin
  models: ModelPrice[]
}

/**
 * The price of every known model, resolvable by the names spans actually carry: provider prefixes
 * (`openai/gpt-4o`, `bedrock/…`), Bedrock region profiles (`us.anthropic.…-v2:0`), dated versions
 * (`gpt-4o-2024-08-06`, `claude-3-5-haiku@20241022`, `-latest`), dots for dashes (`claude-3.5-sonnet`),
 * Anthropic's two spellings (`claude-4-sonnet-…` / `claude-sonnet-4-…`), and a bare name that only one
 * provider lists (`gemini-2.5-pro` → `gemini/gemini-2.5-pro`). An unknown model resolves to null, never to a
 * zero price.
 */
export class PriceBook {
  private readonly byKey = new Map<string, Filed>()
  private readonly thresholds: number[]
  private readonly cache = new Map<string, PriceMatch | null>()
  /** Built on the first name that is not a key, so a command whose spans name models exactly never pays. */
  private aliases: AliasIndexes | undefined

  constructor(layers: PriceLayer[]) {
    const thresholds = new Set<number>()
    for (const layer of layers) {
      for (const model of layer.models) {
        this.byKey.set(model.model.toLowerCase(), { model, origin: layer.origin })
        for (const tier of model.tiers ?? []) thresholds.add(tier.aboveInputTokens)
      }
    }
    this.thresholds = [...thresholds].sort((a, b) => a - b)
  }

  /**
   * The distinct prompt sizes at which some model's price changes tier, ascending. Calls whose prompts fall
   * between two neighbours pay one tier of every model, so a report can group calls by `input_tokens > t`
   * and price each group's summed tokens exactly.
   */
  tierThresholds(): number[] {
    return [...this.thresholds]
  }

  /** Every price, sorted by model name. */
  list(): SourcedPrice[] {
    return [...this.byKey.values()].map(sourced).sort((a, b) => a.model.localeCompare(b.model))
  }

  get size(): number {
    return this.byKey.size
  }

  /** The price for a model as a span names it (and its provider, when known), or null when unknown. */
  resolve(model: string, provider?: string | null): PriceMatch | null {
    const cacheKey = `${provider ?? ''}\u0000${model}`
    const cached = this.cache.get(cacheKey)
    if (cached !== undefined) return cached
    const match = this.lookup(model, normalizeProvider(provider ?? null))
    this.cache.set(cacheKey, match)
    return match
  }

  /** Up to `limit` known model names that look like `model`, for "did you mean" hints. */
  suggest(model: string, limit = 3): string[] {
    const stem = stripDate(stripVersion(lastSegment(model.toLowerCase()).replace(REGION_PREFIX, '')))
    const head = stem.split(/[-.]/).slice(0, 2).join('-')
    if (!head) return []
    return [...this.byKey.values()]
      .map((filed) => filed.model.model)
      .filter((key) => key.toLowerCase().replaceAll('.', '-').includes(head.replaceAll('.', '-')))
      .sort((a, b) => a.length - b.length)
      .slice(0, limit)
  }

  private lookup(model: string, provider: string | null): PriceMatch | null {
    const name = model.trim().toLowerCase()
    if (!name) return null
    const candidates = aliasCandidates(name, provider)
    for (const candidate of candidates) {
      const filed = this.byKey.get(candidate)
      if (filed) return match(filed, candidate === name ? 'exact' : 'alias')
    }
    const { byUndated, byDotless } = this.aliasIndexes()
    for (const candidate of candidates) {
      const filed = byUndated.get(stripDate(candidate)) ?? byDotless.get(candidate.replaceAll('.', '-'))
      if (filed) return match(filed, 'alias')
    }
    for (const candidate of candidates) {
      const filed = this.onlyProviderListing(candidate, provider)
      if (filed) return match(filed, 'alias')
    }
    return null
  }

  /**
   * A bare name filed only under provider prefixes (`gemini/gemini-2.5-pro`): the given provider's entry,
   * else the entry when a single provider lists the name. Several providers and no hint is ambiguous: null.
   * Routers' listings (`openrouter/google/…`) do not count as providers of the name.
   */
  private onlyProviderListing(tail: string, provider: string | null): Filed | null {
    const listings = this.aliasIndexes().byTail.get(tail)
    if (!listings) return null
    const byProvider = new Map<string, Filed>()
    for (const filed of listings) {
      const name = normalizeProvider(filed.model.provider) ?? filed.model.provider
      if (!byProvider.has(name)) byProvider.set(name, filed)
    }
    const hinted = provider ? byProvider.get(provider) : undefined
    if (hinted) return hinted
    return byProvider.size === 1 ? ([...byProvider.values()][0] ?? null) : null
  }

  private aliasIndexes(): AliasIndexes {
    if (!this.aliases) this.aliases = aliasIndexes(this.byKey)
    return this.aliases
  }
}

/**
 * A model's price as its layer filed it. Its SourcedPrice is made when a lookup first answers with it:
 * copying each of a shipped table's thousands of models up front would cost every command about 3 ms.
 */
interface Filed {
  model: ModelPrice
  origin: PriceOrigin
  sourced?: SourcedPrice
}

function sourced(filed: Filed): SourcedPrice {
  filed.sourced ??= { ...filed.model, origin: filed.origin }
  return filed.sourced
}

function match(filed: Filed, matchedBy: MatchKind): PriceMatch {
  return { price: sourced(filed), matchedBy, key: filed.model.model }
}

interface AliasIndexes {
  /** Undated name → the newest dated entry of that name, for spans that name a model without its date. */
  byUndated: Map<string, Filed>
  byDotless: Map<string, Filed>
  /** `gemini-2.5-pro` of `gemini/gemini-2.5-pro` → the prices filed as `<provider>/<that name>`. */
  byTail: Map<string, Filed[]>
}

function aliasIndexes(byKey: Map<string, Filed>): AliasIndexes {
  const indexes: AliasIndexes = { byUndated: new Map(), byDotless: new Map(), byTail: new Map() }
  const newestFirst = [...byKey.keys()].sort().reverse()
  for (const key of newestFirst) {
    const filed = byKey.get(key) as Filed
    const undated = stripDate(key)
    if (undated !== key && !indexes.byUndated.has(undated)) indexes.byUndated.set(undated, filed)
    const dotless = key.replaceAll('.', '-')
    if (!indexes.byDotless.has(dotless)) indexes.byDotless.set(dotless, filed)
  }
  // Ascending, so the first listing of a provider is its shortest key.
  for (const key of newestFirst.reverse()) {
    // Only `<provider>/<name>` listings compete: `openrouter/google/gemini-2.5-pro` is a router's resale.
    if (key.split('/').length !== 2) continue
    const tail = lastSegment(key)
    const listings = indexes.byTail.get(tail)
    if (listings) listings.push(byKey.get(key) as Filed)
    else indexes.byTail.set(tail, [byKey.get(key) as Filed])
  }
  return indexes
}

/** The names to try for a model, most specific first. */
function aliasCandidates(name: string, provider: string | null): string[] {
  const out: string[] = []
  const add = (candidate: string) => {
    if (candidate && !out.includes(candidate)) out.push(candidate)
  }
  // A provider-specific price (azure/gpt-4o, groq/llama…) beats the first-party one.
  if (provider && !name.startsWith(`${provider}/`)) add(`${provider}/${name}`)
  add(name)
  const bases = [name]
  // openai/gpt-4o, openrouter/anthropic/claude-…: try each shorter tail.
  let rest = name
  while (rest.includes('/')) {
    rest = rest.slice(rest.indexOf('/') + 1)
    bases.push(rest)
  }
  for (const base of bases) {
    add(base)
    const noRegion = base.replace(REGION_PREFIX, '')
    add(noRegion)
    const noVendor = noRegion.replace(VENDOR_PREFIX, '')
    add(noVendor)
    add(stripVersion(noRegion))
    const bare = stripVersion(noVendor)
    add(bare.replace(/@(\d{8})$/, '-$1'))
    add(bare)
    add(stripDate(bare))
    const respelled = otherClaudeSpelling(bare)
    if (respelled) {
      add(respelled)
      add(stripDate(respelled))
    }
  }
  return out
}
