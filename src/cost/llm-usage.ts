import type { AttributeValue, SpanRecord } from '../collector/span-record.js'

/**
 * What an LLM span says about one call, read from the OpenTelemetry GenAI attributes and goblin's own.
 * Token counts follow the GenAI convention: `inputTokens` includes the cache-read and cache-creation tokens.
 */
export interface LlmUsage {
  /** `gen_ai.response.model` (the model that answered), else `gen_ai.request.model`; null when neither. */
  model: string | null
  /** `gen_ai.provider.name`, else the older `gen_ai.system`; lowercase; null when neither. */
  provider: string | null
  inputTokens: number
  outputTokens: number
  cacheReadTokens: number
  cacheCreationTokens: number
  /** `llm.cost` in USD when the caller knew it; it wins over a price-table estimate. */
  cost: number | null
  goblin: string | null
  task: string | null
  service: string
}

const MODEL_KEYS = ['gen_ai.response.model', 'gen_ai.request.model']
const PROVIDER_KEYS = ['gen_ai.provider.name', 'gen_ai.system']
const INPUT_KEYS = ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens']
const OUTPUT_KEYS = ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens']
const CACHE_READ_KEYS = ['gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens']
const CACHE_CREATION_KEYS = [
  'gen_ai.usage.cache_creation.input_tokens',
  'gen_ai.usage.cache_creation_input_tokens',
]
const GOBLIN_KEYS = ['goblin.id']
const TASK_KEYS = ['task.id']

/**
 * The usage an LLM span reports, or null when the span is not an LLM call (no model, no token counts, no
 * `llm.cost`). `goblin.id` / `task.id` are read from the span, then its resource; the SDK copies them from
 * baggage onto every span it starts, so baggage-carried ids arrive as span attributes.
 */
export function extractLlmUsage(span: SpanRecord): LlmUsage | null {
  const a = span.attributes
  const model = firstString(a, MODEL_KEYS)
  const input = firstCount(a, INPUT_KEYS)
  const output = firstCount(a, OUTPUT_KEYS)
  const cost = toNumber(a['llm.cost'])
  if (model === null && input === null && output === null && cost === null) return null
  let inputTokens = input ?? 0
  const cacheReadTokens = firstCount(a, CACHE_READ_KEYS) ?? 0
  const cacheCreationTokens = firstCount(a, CACHE_CREATION_KEYS) ?? 0
  // The GenAI convention counts cache tokens inside input_tokens. Cache counts larger than the input can only
  // mean the sender passed Anthropic's raw usage (input excludes the cache), so add them back in.
  if (cacheReadTokens + cacheCreationTokens > inputTokens)
    inputTokens += cacheReadTokens + cacheCreationTokens
  const provider = firstString(a, PROVIDER_KEYS)
  return {
    model,
    provider: provider ? provider.toLowerCase() : null,
    inputTokens,
    outputTokens: output ?? 0,
    cacheReadTokens,
    cacheCreationTokens,
    cost: cost !== null && cost >= 0 ? cost : null,
    goblin: firstString(a, GOBLIN_KEYS) ?? firstString(span.resource, GOBLIN_KEYS),
    task: firstString(a, TASK_KEYS) ?? firstString(span.resource, TASK_KEYS),
    service: span.serviceName,
  }
}

function firstString(attrs: Record<string, AttributeValue>, keys: string[]): string | null {
  for (const key of keys) {
    const value = attrs[key]
    if (typeof value === 'string' && value.trim() !== '') return value.trim()
  }
  return null
}

function firstCount(attrs: Record<string, AttributeValue>, keys: string[]): number | null {
  for (const key of keys) {
    const value = toNumber(attrs[key])
    if (value !== null && value >= 0) return Math.floor(value)
  }
  return null
}

/** OTLP carries ints as strings in JSON (int64); accept numbers and numeric strings. */
function toNumber(value: AttributeValue | undefined): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value)
    return Number.isFinite(n) ? n : null
  }
  return null
}
