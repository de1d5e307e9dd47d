import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { contextFromEnv, envFromContext, withGoblinBaggage } from '../../../src/telemetry/env-carrier.js'
import { EnvContextManager } from '../../../src/telemetry/env-context-manager.js'
import { GoblinAttributesProcessor } from '../../../src/telemetry/goblin-attributes-processor.js'
import { withLlmSpan } from '../../../src/telemetry/llm-span.js'
import { samplerFor, tracesUrl } from '../../../src/telemetry/tracing-config.js'

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'

describe('environment carrier', () => {
  it('reads TRACEPARENT, TRACESTATE and BAGGAGE and writes them back', () => {
    const ctx = contextFromEnv({
      TRACEPARENT,
      TRACESTATE: 'vendor=x',
      BAGGAGE: 'task.id=t-1,goblin.id=researcher',
    })
    const sc = trace.getSpanContext(ctx)
    expect(sc).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
    })
    expect(propagation.getBaggage(ctx)?.getEntry('task.id')?.value).toBe('t-1')
    expect(envFromContext(ctx)).toEqual({
      TRACEPARENT,
      TRACESTATE: 'vendor=x',
      BAGGAGE: 'task.id=t-1,goblin.id=researcher',
    })
  })

  it('ignores malformed or absent variables', () => {
    expect(trace.getSpanContext(contextFromEnv({ TRACEPARENT: 'nonsense' }))).toBeUndefined()
    expect(envFromContext(contextFromEnv({}))).toEqual({})
  })

  it('adds goblin.id and task.id to the baggage', () => {
    const ctx = withGoblinBaggage(ROOT_CONTEXT, { goblinId: 'g', taskId: 't' })
    expect(envFromContext(ctx).BAGGAGE).toBe('goblin.id=g,task.id=t')
  })
})

describe('sampling and endpoint defaults', () => {
  it('uses ParentBased(TraceIdRatio 0.2) unless OTEL_TRACES_SAMPLER is set', () => {
    expect(samplerFor(undefined, {})?.toString()).toMatch(/ParentBased\{root=TraceIdRatioBased\{0\.2\}/)
    expect(samplerFor(0.5, {})?.toString()).toMatch(/TraceIdRatioBased\{0\.5\}/)
    expect(samplerFor(undefined, { OTEL_TRACES_SAMPLER: 'always_on' })).toBeUndefined()
  })

  it('appends /v1/traces to a base endpoint', () => {
    expect(tracesUrl('http://127.0.0.1:4318/')).toBe('http://127.0.0.1:4318/v1/traces')
    expect(tracesUrl('http://c:4318/v1/traces')).toBe('http://c:4318/v1/traces')
    expect(tracesUrl(undefined)).toBeUndefined()
  })
})

describe('spans in process', () => {
  const exporter = new InMemorySpanExporter()
  const inherited = contextFromEnv({ TRACEPARENT, BAGGAGE: 'task.id=t-9,goblin.id=researcher' })
  const manager = new EnvContextManager(inherited)
  let provider: BasicTracerProvider

  beforeAll(() => {
    provider = new BasicTracerProvider({
      spanProcessors: [new GoblinAttributesProcessor(), new SimpleSpanProcessor(exporter)],
    })
    trace.setGlobalTracerProvider(provider)
    context.setGlobalContextManager(manager.enable())
  })
  afterAll(async () => {
    await provider.shutdown()
    context.disable()
    trace.disable()
  })

  it('puts spans under the inherited parent and copies goblin baggage onto them', () => {
    exporter.reset()
    trace.getTracer('t').startSpan('work').end()
    const [span] = exporter.getFinishedSpans()
    expect(span?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c')
    expect(span?.parentSpanContext?.spanId).toBe('b7ad6b7169203331')
    expect(span?.attributes).toMatchObject({ 'task.id': 't-9', 'goblin.id': 'researcher' })
  })

  it('withLlmSpan records GenAI attributes, tokens and cost as a child of the current span', async () => {
    exporter.reset()
    const tracer = trace.getTracer('t')
    const result = await tracer.startActiveSpan('agent', async (parent) => {
      const answer = await withLlmSpan(
        { model: 'gpt-4o', provider: 'openai', inputTokens: 100 },
        async (llm) => {
          llm.setUsage({ outputTokens: 20, cost: 0.003, responseModel: 'gpt-4o-2024-08-06' })
          return 'ok'
        },
      )
      parent.end()
      return answer
    })
    expect(result).toBe('ok')
    const [llm, agent] = exporter.getFinishedSpans()
    expect(llm?.name).toBe('chat gpt-4o')
    expect(llm?.kind).toBe(2)
    expect(llm?.parentSpanContext?.spanId).toBe(agent?.spanContext().spanId)
    expect(llm?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai',
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.output_tokens': 20,
      'llm.tokens.total': 120,
      'llm.cost': 0.003,
      'task.id': 't-9',
    })
  })

  it('withLlmSpan marks a failed call as an error and rethrows', async () => {
    exporter.reset()
    await expect(
      withLlmSpan({ model: 'claude', provider: 'anthropic' }, async () => {
        throw new Error('rate limited')
      }),
    ).rejects.toThrow('rate limited')
    const [span] = exporter.getFinishedSpans()
    expect(span?.status).toEqual({ code: 2, message: 'rate limited' })
    expect(span?.events[0]?.name).toBe('exception')
  })
})

describe('goblin tracing itself', () => {
  it('joins a trace only when an endpoint is set and there is a parent or a chosen sampler', async () => {
    const { selfTracingWanted } = await import('../../../src/telemetry/self-tracing.js')
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }
    expect(selfTracingWanted({})).toBe(false)
    expect(selfTracingWanted(endpoint)).toBe(false)
    expect(selfTracingWanted({ ...endpoint, TRACEPARENT })).toBe(true)
    expect(selfTracingWanted({ ...endpoint, OTEL_TRACES_SAMPLER: 'always_on' })).toBe(true)
    expect(selfTracingWanted({ ...endpoint, TRACEPARENT, OTEL_SDK_DISABLED: 'true' })).toBe(false)
    expect(selfTracingWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c/v1/traces', TRACEPARENT })).toBe(
      true,
    )
  })
})
