import { type Attributes, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'

/** What is known about an LLM call before it runs; usage may also be set from inside the call. */
export interface LlmCallAttributes {
  /** The requested model (`gen_ai.request.model`). */
  model: string
  /** The provider (`gen_ai.provider.name`, also written to the older `gen_ai.system`), e.g. `openai`. */
  provider: string
  /** `gen_ai.operation.name`; default `chat`. */
  operation?: string
  inputTokens?: number
  outputTokens?: number
  /** USD, when the caller knows it (`llm.cost`). */
  cost?: number
  responseModel?: string
  /** Extra span attributes. */
  attributes?: Attributes
}

export interface LlmUsage {
  inputTokens?: number
  outputTokens?: number
  cost?: number
  responseModel?: string
}

/** The handle `withLlmSpan` gives the call: the span, and a way to record usage once the response is in. */
export interface LlmSpan {
  span: Span
  setUsage(usage: LlmUsage): void
}

const TRACER = 'goblin.llm'

/**
 * Runs `fn` inside a CLIENT span named `<operation> <model>` (child of the current span) carrying the
 * OpenTelemetry GenAI attributes plus `llm.cost` and `llm.tokens.total`. A throw (or rejection) marks the
 * span as an error and is rethrown; the span ends when `fn` settles.
 */
export function withLlmSpan<T>(attrs: LlmCallAttributes, fn: (llm: LlmSpan) => T): T {
  const operation = attrs.operation ?? 'chat'
  const tracer = trace.getTracer(TRACER)
  return tracer.startActiveSpan(
    `${operation} ${attrs.model}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.operation.name': operation,
        'gen_ai.request.model': attrs.model,
        'gen_ai.provider.name': attrs.provider,
        'gen_ai.system': attrs.provider,
        ...attrs.attributes,
      },
    },
    (span) => {
      const usage: LlmUsage = {
        inputTokens: attrs.inputTokens,
        outputTokens: attrs.outputTokens,
        cost: attrs.cost,
        responseModel: attrs.responseModel,
      }
      const handle: LlmSpan = {
        span,
        setUsage(update) {
          Object.assign(usage, Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined)))
        },
      }
      const finish = (error?: unknown) => {
        span.setAttributes(usageAttributes(usage))
        if (error !== undefined) {
          span.recordException(error instanceof Error ? error : String(error))
          span.setStatus({
            code: SpanStatusCode.ERROR,
            message: error instanceof Error ? error.message : String(error),
          })
        }
        span.end()
      }
      let result: T
      try {
        result = fn(handle)
      } catch (error) {
        finish(error)
        throw error
      }
      if (result instanceof Promise) {
        return result.then(
          (value) => {
            finish()
            return value
          },
          (error: unknown) => {
            finish(error)
            throw error
          },
        ) as T
      }
      finish()
      return result
    },
  )
}

/** The GenAI usage attributes for recorded usage (absent values are left out). */
export function usageAttributes(usage: LlmUsage): Attributes {
  const out: Attributes = {}
  if (usage.inputTokens !== undefined) out['gen_ai.usage.input_tokens'] = usage.inputTokens
  if (usage.outputTokens !== undefined) out['gen_ai.usage.output_tokens'] = usage.outputTokens
  if (usage.inputTokens !== undefined || usage.outputTokens !== undefined) {
    out['llm.tokens.total'] = (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0)
  }
  if (usage.cost !== undefined) out['llm.cost'] = usage.cost
  if (usage.responseModel !== undefined) out['gen_ai.response.model'] = usage.responseModel
  return out
}
