import { createTraceState, SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TraceClient } from '../../../src/trace/trace-client.js'
import { metricValue, startTestCollector, type TestCollector } from './collector-fixture.js'

/**
 * Real payloads: the OpenTelemetry JS SDK and its OTLP/HTTP exporters (protobuf and JSON, plain and gzip)
 * export a small agent trace to the collector on 127.0.0.1; the trace is then read back over the query API.
 */
describe('real OpenTelemetry SDK exports to the collector', () => {
  let tc: TestCollector
  beforeAll(async () => {
    tc = await startTestCollector()
  })
  afterAll(() => tc.stop())

  const LINKED = {
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    traceFlags: 1,
    traceState: createTraceState('vendor=1'),
  }

  async function exportAgentTrace(exporter: SpanExporter, service: string) {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': service, 'goblin.id': 'researcher' }),
      spanProcessors: [new BatchSpanProcessor(exporter)],
    })
    const tracer = provider.getTracer('agent-lib', '1.2.3')
    const root = tracer.startSpan('agent run', { kind: SpanKind.SERVER, attributes: { 'task.id': 'task-7' } })
    const { trace, context } = await import('@opentelemetry/api')
    const ctx = trace.setSpan(context.active(), root)
    const llm = tracer.startSpan(
      'chat gpt-4o',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.provider.name': 'openai',
          'gen_ai.usage.input_tokens': 1200,
          'gen_ai.usage.output_tokens': 300,
          'llm.cost': 0.0125,
          'llm.tokens.total': 1500,
        },
        // A link to another trace's span (a batch job that picked up this request, say).
        links: [{ context: LINKED, attributes: { 'link.kind': 'follows' } }],
      },
      ctx,
    )
    llm.addEvent('retry', { attempt: 2 })
    llm.setStatus({ code: SpanStatusCode.ERROR, message: 'first attempt failed' })
    llm.end()
    root.end()
    await provider.forceFlush()
    await provider.shutdown()
    return {
      traceId: root.spanContext().traceId,
      rootId: root.spanContext().spanId,
      llmId: llm.spanContext().spanId,
    }
  }

  const cases: Array<[string, () => SpanExporter]> = [
    ['protobuf', () => new ProtoExporter({ url: `${tc.collector.url}/v1/traces` })],
    [
      'protobuf + gzip',
      () => new ProtoExporter({ url: `${tc.collector.url}/v1/traces`, compression: 'gzip' as never }),
    ],
    ['JSON', () => new JsonExporter({ url: `${tc.collector.url}/v1/traces` })],
    [
      'JSON + gzip',
      () => new JsonExporter({ url: `${tc.collector.url}/v1/traces`, compression: 'gzip' as never }),
    ],
  ]

  for (const [encoding, makeExporter] of cases) {
    it(`stores a trace exported as ${encoding} and serves it back intact`, async () => {
      const service = `svc-${encoding.replace(/\W+/g, '-')}`
      const ids = await exportAgentTrace(makeExporter(), service)
      const client = new TraceClient({ kind: 'embedded', endpoint: tc.collector.url, source: 'test' })
      const spans = await client.getTrace(ids.traceId)
      expect(spans).toHaveLength(2)
      const root = spans.find((s) => s.spanId === ids.rootId)
      const llm = spans.find((s) => s.spanId === ids.llmId)
      expect(root).toMatchObject({
        parentSpanId: null,
        name: 'agent run',
        kind: 2,
        serviceName: service,
        scopeName: 'agent-lib',
        attributes: { 'task.id': 'task-7' },
        resource: { 'service.name': service, 'goblin.id': 'researcher' },
      })
      expect(llm).toMatchObject({
        parentSpanId: ids.rootId,
        kind: 3,
        statusCode: 2,
        statusMessage: 'first attempt failed',
        attributes: {
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 1200,
          'llm.cost': 0.0125,
        },
        events: [{ name: 'retry', attributes: { attempt: 2 } }],
        links: [
          {
            traceId: LINKED.traceId,
            spanId: LINKED.spanId,
            traceState: 'vendor=1',
            attributes: { 'link.kind': 'follows' },
          },
        ],
      })
      for (const span of spans) {
        expect(BigInt(span.startTimeUnixNano)).toBeGreaterThan(1_600_000_000_000_000_000n)
        expect(BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano)).toBe(true)
      }
      const [summary] = await client.search({ tags: { 'service.name': service } })
      expect(summary).toMatchObject({
        traceID: ids.traceId,
        rootTraceName: 'agent run',
        rootServiceName: service,
        spanCount: 2,
        errorCount: 1,
        costUsd: 0.0125,
      })
    })
  }

  it('counts received spans and task latency in /metrics', async () => {
    const text = await (await fetch(`${tc.collector.url}/metrics`)).text()
    expect(metricValue(text, 'goblin_spans_received_total')).toBe(8)
    expect(metricValue(text, 'goblin_task_latency_seconds_count{goblin="researcher"}')).toBe(4)
    expect(text).toContain('# TYPE goblin_cost_usd_total counter')
    expect(metricValue(text, 'goblin_ingest_queue_depth')).toBe(0)
  })

  it('answers /health as the contract says', async () => {
    const res = await fetch(`${tc.collector.url}/health`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      status: 'ok',
      service: 'goblin-collector',
      version: 'test',
      pid: process.pid,
    })
  })
})
