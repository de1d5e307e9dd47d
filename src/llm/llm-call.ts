/**
 * The one model of an LLM call that every goblin consumer reads: the ingest index, cost reports and
 * budgets, `trace list` and `trace show`, `/metrics`. Readers (`read-span.ts`, `read-log.ts`) turn what a
 * sender wrote, in whichever convention, into this shape; `src/cost/price-call.ts` prices it.
 */

/**
 * Token counts of one call by kind, normalized whatever the convention: `input` counts every prompt token,
 * the cache reads and writes among them; `output` counts every generated token, reasoning among them.
 */
export interface CallTokens {
  input: number
  /** Prompt tokens served from the provider's cache (part of `input`). */
  cacheRead: number
  /** Prompt tokens written to the cache at the 5-minute rate, the only rate most providers have (part of `input`). */
  cacheWrite5m: number
  /** Prompt tokens written to Anthropic's 1-hour cache (part of `input`). */
  cacheWrite1h: number
  output: number
  /** Reasoning ("thinking") tokens (part of `output`). */
  reasoning: number
}

/** Where a call was read from. */
export type CallSource = 'span' | 'log' | 'metric'

/** One LLM call as goblin understands it. */
export interface LlmCall {
  /** The model as the sender named it (the response's model first); null when no span or ancestor named one. */
  model: string | null
  /** Normalized provider (`openai`, `anthropic`, `gemini`, `bedrock`, ...); null when unknown. */
  provider: string | null
  tokens: CallTokens
  /** False when the sender reported no token count at all: the call happened but is unmetered. */
  metered: boolean
  /** USD the sender reported for the call itself (`llm.cost`, Claude Code's `cost_usd`); it wins over prices. */
  ownCostUsd: number | null
  goblin: string | null
  task: string | null
  /** The agent session or conversation the call belongs to (`session.id`, `gen_ai.conversation.id`, ...). */
  session: string | null
  service: string
  /** The convention the call was read by, for diagnostics (`gen_ai`, `openinference`, `ai-sdk`, ...). */
  convention: string
}

/** What pricing a call reads of it (its model resolved: named, or inherited from an ancestor). */
export type PricedCall = Pick<LlmCall, 'model' | 'provider' | 'tokens' | 'metered' | 'ownCostUsd'>

/** Zero tokens of every kind. */
export function noTokens(): CallTokens {
  return { input: 0, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, output: 0, reasoning: 0 }
}
