import type { AttributeValue, SpanRecord } from '../collector/span-record.js'
import { type CallTokens, type LlmCall, noTokens } from './llm-call.js'
import { normalizeProvider } from './providers.js'

/**
 * Spans into LLM calls, whichever convention the sender followed. One convention is read per span, the
 * first that carries usage, in this order (a span may carry several: langsmith also writes GenAI keys):
 *
 * | convention    | sender                                   | input counts the cache? |
 * | ------------- | ---------------------------------------- | ----------------------- |
 * | `langsmith`   | LangChain traced by langsmith (OTel)     | yes (LangChain's usage_metadata) |
 * | `openinference` | Arize OpenInference instrumentations   | yes (`llm.token_count.prompt`)   |
 * | `ai-sdk`      | Vercel AI SDK, legacy `ai.*` attributes  | yes (`ai.usage.inputTokens`)     |
 * | `gen_ai`      | OpenTelemetry GenAI, OpenLLMetry, the AI SDK's `@ai-sdk/otel`, coding agents | yes |
 * | `goblin`      | goblin's SDK (`llm.cost`, `llm.tokens.total`) | -                        |
 *
 * Where the convention says the input includes the cache, a sender whose cache counts exceed its input can
 * only have passed Anthropic's raw usage (input without the cache): the cache is added back, the one place
 * the numbers decide.
 */

type Attributes = Record<string, AttributeValue>

/** Keys naming the model of a span, the answering model first. */
const MODEL_KEYS = [
  'gen_ai.response.model',
  'gen_ai.request.model',
  'llm.model_name',
  'ai.response.model',
  'ai.model.id',
  'langsmith.metadata.ls_model_name',
]
const PROVIDER_KEYS = [
  'gen_ai.provider.name',
  'gen_ai.system',
  'llm.provider',
  'llm.system',
  'ai.model.provider',
  'langsmith.metadata.ls_provider',
]
const SESSION_KEYS = [
  'session.id',
  'gen_ai.conversation.id',
  'conversation.id',
  'ai.telemetry.metadata.sessionId',
  'langsmith.metadata.session_id',
  'traceloop.association.properties.session_id',
]

/** A span's model for the calls below it: its model keys, or Codex's plain `model` on the turn span. */
const MODEL_HINT_KEYS = [...MODEL_KEYS, 'model']
const GOBLIN_KEYS = ['goblin.id']
const TASK_KEYS = ['task.id']

/** `gen_ai.operation.name` / OpenLLMetry `llm.request.type` values that are one model call. */
const CALL_OPERATIONS = new Set(['chat', 'text_completion', 'completion', 'generate_content', 'responses'])

/** Tokens as a convention reports them, before they are normalized to `CallTokens`. */
interface Reported {
  convention: string
  input: number | null
  output: number | null
  cacheRead: number
  cacheWrite5m: number
  cacheWrite1h: number
  reasoning: number
  /** True when the convention counts cache tokens inside `input`. */
  inputIncludesCache: boolean
}

/**
 * The LLM call a span reports, or null when it is not one. A span is a call when it carries token counts or
 * an own cost, or names a model on a span that is one model call by its convention (then, without counts,
 * the call is unmetered). Whether a call is an aggregate of calls below it is decided over the trace
 * (`trace-calls.ts`), not here, and so is what a call naming no model, goblin, task or session takes from
 * its ancestors (`spanLabels`).
 */
export function readSpanCall(span: SpanRecord): LlmCall | null {
  const a = span.attributes
  const reported = readLangsmith(a) ?? readOpenInference(a) ?? readAiSdk(a) ?? readGenAi(a)
  const ownCost = count(a['llm.cost'], true)
  const model = firstString(a, MODEL_KEYS)
  const metered = reported !== null && (reported.input !== null || reported.output !== null)
  if (!metered && ownCost === null && !(model !== null && isModelCall(span))) return null
  return {
    model,
    provider: normalizeProvider(firstString(a, PROVIDER_KEYS)),
    tokens: reported && metered ? normalize(reported) : noTokens(),
    metered: metered || count(a['llm.tokens.total']) !== null,
    ownCostUsd: ownCost,
    goblin: spanOrResource(span, GOBLIN_KEYS),
    task: spanOrResource(span, TASK_KEYS),
    session: spanOrResource(span, SESSION_KEYS),
    service: span.serviceName,
    convention: reported?.convention ?? (ownCost !== null ? 'goblin' : 'gen_ai'),
  }
}

/** What a span names that the calls below it take when they name none themselves (`placeCalls`). */
export interface SpanLabels {
  model: string | null
  goblin: string | null
  task: string | null
  session: string | null
}

/**
 * The labels a span passes down to the calls below it: its model (Codex names it on the turn span), and its
 * goblin, task and session from its attributes or its resource (`trace exec --attr goblin.id=...` names
 * them on the span around the command; the spans of a library run inside carry none).
 */
export function spanLabels(span: Pick<SpanRecord, 'attributes' | 'resource'>): SpanLabels {
  return {
    model: firstString(span.attributes, MODEL_HINT_KEYS),
    goblin: spanOrResource(span, GOBLIN_KEYS),
    task: spanOrResource(span, TASK_KEYS),
    session: spanOrResource(span, SESSION_KEYS),
  }
}

function spanOrResource(
  span: Pick<SpanRecord, 'attributes' | 'resource'>,
  keys: readonly string[],
): string | null {
  return firstString(span.attributes, keys) ?? firstString(span.resource, keys)
}

function isModelCall(span: SpanRecord): boolean {
  const a = span.attributes
  const operation = firstString(a, ['gen_ai.operation.name', 'llm.request.type'])
  if (operation !== null) return CALL_OPERATIONS.has(operation.toLowerCase())
  if (firstString(a, ['openinference.span.kind'])?.toUpperCase() === 'LLM') return true
  // The AI SDK's legacy spans: `ai.generateText.doGenerate`, `ai.streamText.doStream` are the provider calls.
  return /^ai\.\w+\.do(Generate|Stream)$/.test(span.name)
}

/** langsmith's `langsmith.usage_metadata`: LangChain's UsageMetadata as a JSON string. */
function readLangsmith(a: Attributes): Reported | null {
  const raw = a['langsmith.usage_metadata']
  if (typeof raw !== 'string') return null
  let usage: unknown
  try {
    usage = JSON.parse(raw)
  } catch {
    return null
  }
  if (typeof usage !== 'object' || usage === null) return null
  const u = usage as Record<string, AttributeValue>
  const inputDetails = objectOf(u.input_token_details)
  const outputDetails = objectOf(u.output_token_details)
  return {
    convention: 'langsmith',
    input: count(u.input_tokens),
    output: count(u.output_tokens),
    cacheRead: count(inputDetails.cache_read) ?? 0,
    cacheWrite5m: count(inputDetails.cache_creation) ?? 0,
    cacheWrite1h: 0,
    reasoning: count(outputDetails.reasoning) ?? 0,
    inputIncludesCache: true,
  }
}

function readOpenInference(a: Attributes): Reported | null {
  const input = count(a['llm.token_count.prompt'])
  const output = count(a['llm.token_count.completion'])
  if (input === null && output === null) return null
  return {
    convention: 'openinference',
    input,
    output,
    cacheRead: count(a['llm.token_count.prompt_details.cache_read']) ?? 0,
    cacheWrite5m: count(a['llm.token_count.prompt_details.cache_write']) ?? 0,
    cacheWrite1h: 0,
    reasoning: count(a['llm.token_count.completion_details.reasoning']) ?? 0,
    inputIncludesCache: true,
  }
}

/** The Vercel AI SDK's `ai.usage.*` (v5+ names, and v4's `promptTokens` / `completionTokens`). */
function readAiSdk(a: Attributes): Reported | null {
  const input = first(a, ['ai.usage.inputTokens', 'ai.usage.promptTokens'])
  const output = first(a, ['ai.usage.outputTokens', 'ai.usage.completionTokens'])
  if (input === null && output === null) return null
  return {
    convention: 'ai-sdk',
    input,
    output,
    cacheRead: first(a, ['ai.usage.inputTokenDetails.cacheReadTokens', 'ai.usage.cachedInputTokens']) ?? 0,
    cacheWrite5m: first(a, ['ai.usage.inputTokenDetails.cacheWriteTokens']) ?? 0,
    cacheWrite1h: 0,
    reasoning: first(a, ['ai.usage.outputTokenDetails.reasoningTokens', 'ai.usage.reasoningTokens']) ?? 0,
    inputIncludesCache: true,
  }
}

/** OpenTelemetry GenAI, current and older spellings, as OpenLLMetry and the coding agents write them. */
function readGenAi(a: Attributes): Reported | null {
  const input = first(a, ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens'])
  const output = first(a, ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens'])
  if (input === null && output === null) return null
  return {
    convention: 'gen_ai',
    input,
    output,
    cacheRead:
      first(a, ['gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens']) ?? 0,
    cacheWrite5m:
      first(a, [
        'gen_ai.usage.cache_creation.input_tokens',
        'gen_ai.usage.cache_creation_input_tokens',
        'gen_ai.usage.cache_write.input_tokens',
      ]) ?? 0,
    cacheWrite1h: 0,
    reasoning: first(a, ['gen_ai.usage.reasoning.output_tokens', 'gen_ai.usage.reasoning_tokens']) ?? 0,
    inputIncludesCache: true,
  }
}

function normalize(r: Reported): CallTokens {
  const cache = r.cacheRead + r.cacheWrite5m + r.cacheWrite1h
  let input = r.input ?? 0
  if (!r.inputIncludesCache || cache > input) input += cache
  const output = r.output ?? 0
  return {
    input,
    cacheRead: r.cacheRead,
    cacheWrite5m: r.cacheWrite5m,
    cacheWrite1h: r.cacheWrite1h,
    output: Math.max(output, r.reasoning),
    reasoning: r.reasoning,
  }
}

function firstString(attrs: Attributes, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = attrs[key]
    if (typeof value === 'string' && value.trim() !== '') return value.trim()
  }
  return null
}

function first(attrs: Attributes, keys: readonly string[]): number | null {
  for (const key of keys) {
    const value = count(attrs[key])
    if (value !== null) return value
  }
  return null
}

function objectOf(value: AttributeValue | undefined): Record<string, AttributeValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}
}

/**
 * A non-negative count from a number or a numeric string (OTLP JSON carries int64 as strings); whole
 * numbers unless `fractional` (USD). Anything else is no count: a sender is not trusted to send numbers.
 */
function count(value: AttributeValue | undefined, fractional = false): number | null {
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN
  if (!Number.isFinite(n) || n < 0) return null
  return fractional ? n : Math.floor(n)
}
