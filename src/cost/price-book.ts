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

/** OpenTelemetry `gen_ai.provider.name` / `gen_ai.system` values and the prefix LiteLLM files them under. */
const LITELLM_PREFIX: Record<string, string> = {
  'aws.bedrock': 'bedrock',
  'azure.ai.openai': 'azure',
  'az.ai.openai': 'azure',
  'azure.ai.inference': 'azure_ai',
  'az.ai.inference': 'azure_ai',
  'gcp.gemini': 'gemini',
  'gcp.gen_ai': 'gemini',
  'gcp.vertex_ai': 'vertex_ai',
  vertex_ai: 'vertex_ai',
  mistral_ai: 'mistral',
  x_ai: 'xai',
  'ibm.watsonx.ai': 'watsonx',
}

/** Cloud inference-profile prefixes (Bedrock's `us.anthropic…`) that do not change the model. */
const REGION_PREFIX = /^(us|eu|apac|jp|au|ca|global|us-gov)\./
/** Version tails the same model is published under. */
const VERSION_SUFFIXES = [/-v\d+(:\d+)?$/, /:\d+$/]
const DATE_SUFFIXES = [/-\d{4}-\d{2}-\d{2}$/, /-\d{8}$/, /@\d{8}$/, /-latest$/]

/**
 * The price of every known model, resolvable by the names spans actually carry: provider prefixes
 * (`openai/gpt-4o`, `bedrock/…`), Bedrock region profiles (`us.anthropic.…-v2:0`), dated versions
 * (`gpt-4o-2024-08-06`, `claude-3-5-haiku@20241022`, `-latest`) and dots for dashes (`claude-3.5-sonnet`).
 * An unknown model resolves to null, never to a zero price.
 */
export class PriceBook {
  private readonly byKey = new Map<string, SourcedPrice>()
  /** Undated name → the newest dated entry of that name, for spans that name a model without its date. */
  private readonly byUndated = new Map<string, SourcedPrice>()
  private readonly byDotless = new Map<string, SourcedPrice>()
  private readonly cache = new Map<string, PriceMatch | null>()

  constructor(layers: PriceLayer[]) {
    for (const layer of layers) {
      for (const model of layer.models)
        this.byKey.set(model.model.toLowerCase(), { ...model, origin: layer.origin })
    }
    const newestFirst = [...this.byKey.keys()].sort().reverse()
    for (const key of newestFirst) {
      const price = this.byKey.get(key) as SourcedPrice
      const undated = stripDate(key)
      if (undated !== key && !this.byUndated.has(undated)) this.byUndated.set(undated, price)
      const dotless = key.replaceAll('.', '-')
      if (!this.byDotless.has(dotless)) this.byDotless.set(dotless, price)
    }
  }

  /** Every price, sorted by model name. */
  list(): SourcedPrice[] {
    return [...this.byKey.values()].sort((a, b) => a.model.localeCompare(b.model))
  }

  get size(): number {
    return this.byKey.size
  }

  /** The price for a model as a span names it (and its provider, when known), or null when unknown. */
  resolve(model: string, provider?: string | null): PriceMatch | null {
    const cacheKey = `${provider ?? ''}\u0000${model}`
    const cached = this.cache.get(cacheKey)
    if (cached !== undefined) return cached
    const match = this.lookup(model, provider ?? null)
    this.cache.set(cacheKey, match)
    return match
  }

  /** Up to `limit` known model names that look like `model`, for "did you mean" hints. */
  suggest(model: string, limit = 3): string[] {
    const stem = stripDate(stripVersion(lastSegment(model.toLowerCase()).replace(REGION_PREFIX, '')))
    const head = stem.split(/[-.]/).slice(0, 2).join('-')
    if (!head) return []
    return [...this.byKey.values()]
      .map((p) => p.model)
      .filter((key) => key.toLowerCase().replaceAll('.', '-').includes(head.replaceAll('.', '-')))
      .sort((a, b) => a.length - b.length)
      .slice(0, limit)
  }

  private lookup(model: string, provider: string | null): PriceMatch | null {
    const name = model.trim().toLowerCase()
    if (!name) return null
    const candidates = aliasCandidates(name, provider)
    for (const [i, candidate] of candidates.entries()) {
      const price = this.byKey.get(candidate)
      if (price)
        return { price, matchedBy: i === 0 && candidate === name ? 'exact' : 'alias', key: price.model }
    }
    for (const candidate of candidates) {
      const price =
        this.byUndated.get(stripDate(candidate)) ?? this.byDotless.get(candidate.replaceAll('.', '-'))
      if (price) return { price, matchedBy: 'alias', key: price.model }
    }
    return null
  }
}

/** The names to try for a model, most specific first. */
function aliasCandidates(name: string, provider: string | null): string[] {
  const out: string[] = []
  const add = (candidate: string) => {
    if (candidate && !out.includes(candidate)) out.push(candidate)
  }
  const prefix = provider ? (LITELLM_PREFIX[provider.toLowerCase()] ?? provider.toLowerCase()) : null
  // A provider-specific price (azure/gpt-4o, groq/llama…) beats the first-party one.
  if (prefix && !name.startsWith(`${prefix}/`)) add(`${prefix}/${name}`)
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
    const noVendor = noRegion.replace(/^[a-z0-9-]+\.(?=[a-z])/, '') // anthropic.claude-… → claude-…
    add(noVendor)
    add(stripVersion(noRegion))
    const bare = stripVersion(noVendor)
    add(bare.replace(/@(\d{8})$/, '-$1'))
    add(bare)
    add(stripDate(bare))
  }
  return out
}

function stripVersion(name: string): string {
  let out = name
  for (const suffix of VERSION_SUFFIXES) out = out.replace(suffix, '')
  return out
}

function stripDate(name: string): string {
  let out = name
  for (const suffix of DATE_SUFFIXES) out = out.replace(suffix, '')
  return out
}

function lastSegment(name: string): string {
  const slash = name.lastIndexOf('/')
  return slash >= 0 ? name.slice(slash + 1) : name
}
