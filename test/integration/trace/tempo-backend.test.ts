import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toOtlpJson } from '../../../src/collector/otlp-encode-json.js'
import type { SpanRecord } from '../../../src/collector/span-record.js'
import { TraceClient } from '../../../src/trace/trace-client.js'
import { listTraces, showTrace } from '../../../src/trace/trace-queries.js'
import { startTestCollector, type TestCollector } from '../collector/collector-fixture.js'

/**
 * No real Tempo can run here (no container engine, no internet), so the Tempo backend is tested against
 * two stand-ins speaking Tempo's HTTP API: a small server answering as Tempo does (search rows without
 * goblin's extra columns, trace ids with leading zeros dropped, span ids base64 in `batches`), and the
 * embedded collector's own Tempo-shaped query API.
 */
const TRACE = '00f067aa0ba902b7a3ce929d0e0e4736'
const spans: SpanRecord[] = [
  {
    traceId: TRACE,
    spanId: '00f067aa0ba902b7',
    parentSpanId: null,
    name: 'GET /checkout',
    kind: 2,
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000000250000000',
    statusCode: 0,
    serviceName: 'shop',
    attributes: { 'http.route': '/checkout' },
    resource: { 'service.name': 'shop' },
  },
  {
    traceId: TRACE,
    spanId: '53995c3f42cd8ad8',
    parentSpanId: '00f067aa0ba902b7',
    name: 'chat gpt-4o',
    kind: 3,
    startTimeUnixNano: '1700000000050000000',
    endTimeUnixNano: '1700000000200000000',
    statusCode: 2,
    serviceName: 'shop',
    attributes: { 'gen_ai.request.model': 'gpt-4o', 'llm.cost': 0.02 },
    resource: { 'service.name': 'shop' },
  },
]

/** Tempo writes ids in protobuf-JSON's base64. */
function tempoTraceBody(): string {
  const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64')
  const batches = toOtlpJson(spans).map((rs) => ({
    ...rs,
    scopeSpans: rs.scopeSpans.map((ss) => ({
      ...ss,
      spans: (ss.spans as Array<Record<string, unknown>>).map((s) => ({
        ...s,
        traceId: b64(String(s.traceId)),
        spanId: b64(String(s.spanId)),
        ...(s.parentSpanId ? { parentSpanId: b64(String(s.parentSpanId)) } : {}),
      })),
    })),
  }))
  return JSON.stringify({ batches })
}

describe('Tempo backend against a stand-in Tempo HTTP API', () => {
  let server: Server
  let endpoint: string
  const requests: string[] = []
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '')
      const url = new URL(req.url ?? '/', 'http://tempo')
      res.setHeader('content-type', 'application/json')
      if (url.pathname === '/api/search') {
        res.end(
          JSON.stringify({
            traces: [
              {
                traceID: TRACE.replace(/^0+/, ''),
                rootServiceName: 'shop',
                rootTraceName: 'GET /checkout',
                startTimeUnixNano: '1700000000000000000',
                durationMs: 250,
              },
            ],
            metrics: { inspectedTraces: 1 },
          }),
        )
      } else if (url.pathname === `/api/traces/${TRACE}`) {
        res.end(tempoTraceBody())
      } else {
        res.statusCode = 404
        res.end('trace not found')
      }
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('lists traces with Tempo search parameters, padding short ids and leaving unknown columns null', async () => {
    const list = await listTraces({
      source: new TraceClient({ kind: 'tempo', endpoint, source: 'test' }),
      service: 'shop',
      status: 'error',
      since: '1h',
      minDuration: '100ms',
      limit: 5,
      now: new Date(1_700_000_600_000),
    })
    expect(list.traces).toEqual([
      {
        traceID: TRACE,
        rootServiceName: 'shop',
        rootTraceName: 'GET /checkout',
        startTimeUnixNano: '1700000000000000000',
        durationMs: 250,
        spanCount: null,
        errorCount: null,
        costUsd: null,
        llmCalls: null,
        unpricedCalls: null,
      },
    ])
    const params = new URL(requests.at(-1) ?? '', 'http://x').searchParams
    expect(Object.fromEntries(params)).toEqual({
      tags: 'service.name=shop status=error',
      minDuration: '100ms',
      start: '1699997000',
      end: '1700000600',
      limit: '5',
    })
  })

  it('shows a trace whose ids arrive base64-encoded, given its id in upper case', async () => {
    const shown = await showTrace(
      new TraceClient({ kind: 'tempo', endpoint, source: 'test' }),
      TRACE.toUpperCase(),
      '/nonexistent',
    )
    expect(shown.spans.map((s) => [s.spanId, s.parentSpanId])).toEqual([
      ['00f067aa0ba902b7', null],
      ['53995c3f42cd8ad8', '00f067aa0ba902b7'],
    ])
    expect(shown.waterfall).toMatchObject({ spanCount: 2, errorCount: 1, costUsd: 0.02, durationMs: 250 })
  })

  it('reports an unknown trace as not found (exit 1)', async () => {
    await expect(
      showTrace(
        new TraceClient({ kind: 'tempo', endpoint, source: 'test' }),
        'ab'.repeat(16),
        '/nonexistent',
      ),
    ).rejects.toMatchObject({
      code: 'TRACE_NOT_FOUND',
      exit: 1,
    })
  })

  it('reports an unreachable Tempo (exit 3) naming the endpoint and goblin stack up', async () => {
    const error = await showTrace(
      new TraceClient({ kind: 'tempo', endpoint: 'http://127.0.0.1:9', source: 'test' }),
      TRACE,
      '/nonexistent',
    ).catch((e) => e)
    expect(error).toMatchObject({ code: 'TRACE_BACKEND_UNREACHABLE', exit: 3 })
    expect(error.message).toContain('http://127.0.0.1:9')
    expect(error.hint).toContain('goblin stack up')
  })
})

describe("Tempo backend against the embedded collector's Tempo-shaped API", () => {
  let tc: TestCollector
  beforeAll(async () => {
    tc = await startTestCollector()
    tc.collector.store.ingest(spans)
  })
  afterAll(() => tc.stop())

  it('one client reads both: the same trace through kind tempo and kind embedded', async () => {
    const asTempo = await showTrace(
      new TraceClient({ kind: 'tempo', endpoint: tc.collector.url, source: 'test' }),
      TRACE,
      '/nonexistent',
    )
    const asEmbedded = await showTrace(
      new TraceClient({ kind: 'embedded', endpoint: tc.collector.url, source: 'test' }),
      TRACE,
      '/nonexistent',
    )
    expect(asTempo.spans).toEqual(asEmbedded.spans)
    expect(asEmbedded.spans).toEqual(spans.map((s) => ({ ...s })))
    const list = await listTraces({
      source: new TraceClient({ kind: 'embedded', endpoint: tc.collector.url, source: 'test' }),
    })
    expect(list.traces[0]).toMatchObject({ traceID: TRACE, spanCount: 2, errorCount: 1, costUsd: 0.02 })
  })
})
