import type { SpanRecord } from '../collector/span-record.js'
import { notOk, usageError } from '../core/errors.js'
import type { LlmFacts, Waterfall } from './waterfall.js'

/** `goblin trace show ID --span SPAN_ID`: one span in full, with its LLM call when it is one. */
export interface SpanDetail {
  traceId: string
  span: SpanRecord
  /** Its parent's name, when the parent is in the trace. */
  parentName: string | null
  children: number
  llm: LlmFacts | null
}

/** The span a span id (16 hex digits, either case) or a unique prefix of one names, within the trace. */
export function spanDetail(spans: SpanRecord[], waterfall: Waterfall, ref: string): SpanDetail {
  const text = ref.trim().toLowerCase()
  if (!/^[0-9a-f]{1,16}$/.test(text)) {
    throw usageError('BAD_TRACE_ID', `--span "${ref}" is not a span id`, 'A span id is up to 16 hex digits.')
  }
  const matches = spans.filter((s) => s.spanId.startsWith(text))
  const exact = matches.find((s) => s.spanId === text)
  if (!exact && matches.length > 1) {
    throw usageError(
      'SPAN_ID_AMBIGUOUS',
      `span id prefix "${ref}" matches ${matches.length} spans of trace ${waterfall.traceId}: ${matches.map((s) => `${s.spanId} (${s.name})`).join(', ')}`,
      'Give more digits of the span id.',
    )
  }
  const span = exact ?? matches[0]
  if (!span) {
    throw notOk(
      'SPAN_NOT_FOUND',
      `no span ${ref} in trace ${waterfall.traceId} (${spans.length} spans)`,
      'goblin trace show ID --json lists every span id.',
    )
  }
  const call = waterfall.llmCalls.find((c) => c.spanId === span.spanId)
  let llm: LlmFacts | null = null
  if (call) {
    const { spanId: _, ...facts } = call
    llm = facts
  }
  return {
    traceId: span.traceId,
    span,
    parentName: spans.find((s) => s.spanId === span.parentSpanId)?.name ?? null,
    children: spans.filter((s) => s.parentSpanId === span.spanId).length,
    llm,
  }
}
