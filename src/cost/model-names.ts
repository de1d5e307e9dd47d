import type { PriceBook } from './price-book.js'
import type { ModelPrice } from './price-table.js'

/**
 * How model names vary while naming one model, and the one name a report row shows for them. The price
 * book resolves names through the same rules, so a row and a price never disagree on what is one model.
 */

/** Cloud inference-profile prefixes (Bedrock's `us.anthropic…`) that do not change the model. */
export const REGION_PREFIX = /^(us|eu|apac|jp|au|ca|global|us-gov)\./
/** A cloud's vendor prefix: `anthropic.claude-…` → `claude-…`. */
export const VENDOR_PREFIX = /^[a-z0-9-]+\.(?=[a-z])/
/** Version tails the same model is published under (`-v2:0`, `:0`). */
const VERSION_SUFFIXES = [/-v\d+(:\d+)?$/, /:\d+$/]
/** Snapshot dates and moving aliases (`-2024-07-18`, `-20241022`, `@20241022`, `-latest`). */
const DATE_SUFFIXES = [/-\d{4}-\d{2}-\d{2}$/, /-\d{8}$/, /@\d{8}$/, /-latest$/]
/** Anthropic's two spellings of one model: `claude-4-sonnet-20250514` and `claude-sonnet-4-20250514`. */
const CLAUDE_VERSION_FIRST = /^claude-(\d+(?:[.-]\d{1,2})?)-(opus|sonnet|haiku)(?=-|$)/
const CLAUDE_FAMILY_FIRST = /^claude-(opus|sonnet|haiku)-(\d+(?:[.-]\d{1,2})?)(?=-|$)/

/**
 * The name a human report row uses for a model, so that the names one model goes by share a row:
 * provider and region prefixes and version tails dropped (`openai/gpt-4o-mini`, `us.anthropic.…-v1:0`),
 * Anthropic's version-first spelling of Claude 4 and later turned family-first, as Anthropic names them since
 * (`claude-4-sonnet` → `claude-sonnet-4`; `claude-3-5-haiku` stays), and the
 * snapshot date dropped (`gpt-4o-mini-2024-07-18` → `gpt-4o-mini`) unless the book prices that snapshot
 * differently from the undated name (`gpt-4o-2024-05-13` keeps its date: it is billed as another model).
 */
export function modelDisplayName(model: string, book: PriceBook): string {
  const bare = stripVersion(
    lastSegment(model.trim().toLowerCase()).replace(REGION_PREFIX, '').replace(VENDOR_PREFIX, ''),
  )
  const major = Number(CLAUDE_VERSION_FIRST.exec(bare)?.[1]?.split(/[.-]/)[0] ?? 0)
  const named = major >= 4 ? (otherClaudeSpelling(bare) as string) : bare
  const undated = stripDate(named)
  if (undated === named || !undated) return named
  const dated = book.resolve(named)
  const plain = book.resolve(undated)
  if (dated && plain && !sameBaseRates(dated.price, plain.price)) return named
  return undated
}

/** `claude-4-sonnet-20250514` ↔ `claude-sonnet-4-20250514`; null for a name that is neither. */
export function otherClaudeSpelling(name: string): string | null {
  if (CLAUDE_VERSION_FIRST.test(name)) return name.replace(CLAUDE_VERSION_FIRST, 'claude-$2-$1')
  if (CLAUDE_FAMILY_FIRST.test(name)) return name.replace(CLAUDE_FAMILY_FIRST, 'claude-$2-$1')
  return null
}

export function stripVersion(name: string): string {
  let out = name
  for (const suffix of VERSION_SUFFIXES) out = out.replace(suffix, '')
  return out
}

export function stripDate(name: string): string {
  let out = name
  for (const suffix of DATE_SUFFIXES) out = out.replace(suffix, '')
  return out
}

/** `gemini-2.5-pro` of `gemini/gemini-2.5-pro`, `claude-…` of `openrouter/anthropic/claude-…`. */
export function lastSegment(name: string): string {
  const slash = name.lastIndexOf('/')
  return slash >= 0 ? name.slice(slash + 1) : name
}

/**
 * True when two prices bill input and output alike. Only the base rates decide: a snapshot billed as another
 * model differs there (`gpt-4o-2024-05-13`), while the shipped tables often disagree on one model's tiers or
 * cache rates (genai-prices' `claude-sonnet-4` has no 200k tier, LiteLLM's `claude-sonnet-4-20250514` has).
 */
function sameBaseRates(a: ModelPrice, b: ModelPrice): boolean {
  return a.inputPerToken === b.inputPerToken && a.outputPerToken === b.outputPerToken
}
