import { request } from 'node:http'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadOtlpTypes } from '../../../src/collector/otlp-schema.js'
import { metricValue, startTestCollector, type TestCollector } from './collector-fixture.js'

const TRACE = '0102030405060708090a0b0c0d0e0f10'

async function validProtobuf(spans = 3): Promise<Uint8Array> {
  const types = await loadOtlpTypes()
  return types.traceRequest
    .encode(
      types.traceRequest.fromObject({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: Array.from({ length: spans }, (_, i) => ({
                  traceId: Buffer.from(TRACE, 'hex'),
                  spanId: Buffer.from((i + 1).toString(16).padStart(16, '0'), 'hex'),
                  name: `s${i}`,
                  startTimeUnixNano: '1700000000000000000',
                  endTimeUnixNano: '1700000001000000000',
                })),
              },
            ],
          },
        ],
      }),
    )
    .finish()
}

/** POSTs a body with node:http (fetch would refuse to stream 50 MB back and forth as plainly). */
function post(
  url: string,
  body: Uint8Array | string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      )
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('the collector refuses bad payloads without losing good ones', () => {
  let tc: TestCollector
  let url: string
  beforeAll(async () => {
    tc = await startTestCollector()
    url = `${tc.collector.url}/v1/traces`
  })
  afterAll(() => tc.stop())

  it('answers 400 with a google.rpc.Status for truncated protobuf, and stores nothing', async () => {
    const bytes = await validProtobuf()
    const res = await post(url, bytes.subarray(0, bytes.length - 9), {
      'content-type': 'application/x-protobuf',
    })
    expect(res.status).toBe(400)
    const types = await loadOtlpTypes()
    const status = types.rpcStatus.toObject(types.rpcStatus.decode(res.body)) as {
      code: number
      message: string
    }
    expect(status.code).toBe(3)
    expect(status.message).toMatch(/not an ExportTraceServiceRequest/)
    expect(tc.collector.store.getTrace(TRACE)).toEqual([])
  })

  it('answers 400 for JSON that does not parse or is not OTLP', async () => {
    const broken = await post(url, '{"resourceSpans": [', { 'content-type': 'application/json' })
    expect(broken.status).toBe(400)
    expect(JSON.parse(broken.body.toString())).toMatchObject({
      code: 3,
      message: expect.stringMatching(/does not parse/),
    })
    const wrongShape = await post(url, '{"resourceSpans": 5}', { 'content-type': 'application/json' })
    expect(wrongShape.status).toBe(400)
  })

  it('answers 415 for a content type it does not speak', async () => {
    const res = await post(url, 'hello', { 'content-type': 'text/plain' })
    expect(res.status).toBe(415)
    expect(res.body.toString()).toMatch(/application\/x-protobuf or application\/json/)
  })

  it('answers 413 for a 50 MB body, raw or as gzip that inflates past the limit', async () => {
    const huge = Buffer.alloc(50 * 1024 * 1024, 0x20)
    const raw = await post(url, huge, { 'content-type': 'application/json' })
    expect(raw.status).toBe(413)
    const bomb = gzipSync(huge)
    expect(bomb.length).toBeLessThan(1024 * 1024)
    const zipped = await post(url, bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
    expect(zipped.status).toBe(413)
    expect(JSON.parse(zipped.body.toString()).message).toMatch(/decompressed body exceeds/)
  })

  it('answers 400 for gzip that does not inflate, and 415 for an unknown encoding', async () => {
    const res = await post(url, 'not gzip', {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    })
    expect(res.status).toBe(400)
    const br = await post(url, 'x', { 'content-type': 'application/json', 'content-encoding': 'br' })
    expect(br.status).toBe(415)
  })

  it('stores the valid spans of a request with invalid ids and reports the rest as partial success', async () => {
    const body = JSON.stringify({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'kept' },
                { traceId: 'ab'.repeat(15), spanId: 'cd'.repeat(8), name: 'short trace id' },
                { traceId: '0'.repeat(32), spanId: 'ef'.repeat(8), name: 'zero trace id' },
                { traceId: 'ab'.repeat(16), spanId: 'xyz', name: 'bad span id' },
              ],
            },
          ],
        },
      ],
    })
    const res = await post(url, body, { 'content-type': 'application/json' })
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body.toString())).toEqual({
      partialSuccess: {
        rejectedSpans: '3',
        errorMessage: expect.stringMatching(/spans\[1\]: invalid traceId/),
      },
    })
    expect(tc.collector.store.getTrace('ab'.repeat(16)).map((s) => s.name)).toEqual(['kept'])
    const metrics = await (await fetch(`${tc.collector.url}/metrics`)).text()
    expect(metricValue(metrics, 'goblin_spans_dropped_total{reason="invalid"}')).toBe(3)
  })

  it('answers protobuf partial success in protobuf', async () => {
    const types = await loadOtlpTypes()
    const bytes = types.traceRequest
      .encode(
        types.traceRequest.fromObject({
          resourceSpans: [
            { scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16), spanId: Buffer.alloc(8, 1) }] }] },
          ],
        }),
      )
      .finish()
    const res = await post(url, bytes, { 'content-type': 'application/x-protobuf' })
    expect(res.status).toBe(200)
    const answer = types.traceResponse.toObject(types.traceResponse.decode(res.body), { longs: String })
    expect(answer).toMatchObject({ partialSuccess: { rejectedSpans: '1' } })
  })

  it('answers 405 for GET on the receiver and 404 for unknown paths', async () => {
    expect((await fetch(url)).status).toBe(405)
    // OTLP profiles are not received (metrics are: see metrics-receiver.test.ts).
    expect((await fetch(`${tc.collector.url}/v1/profiles`, { method: 'POST' })).status).toBe(404)
  })

  it('accepts OTLP logs', async () => {
    const body = JSON.stringify({
      resourceLogs: [
        {
          scopeLogs: [{ logRecords: [{ timeUnixNano: '1700000000000000000', body: { stringValue: 'hi' } }] }],
        },
      ],
    })
    const res = await post(`${tc.collector.url}/v1/logs`, body, { 'content-type': 'application/json' })
    expect(res.status).toBe(200)
    expect(tc.collector.store.stats().logs).toBe(1)
  })

  it('still takes good protobuf after all that', async () => {
    const res = await post(url, await validProtobuf(3), { 'content-type': 'application/x-protobuf' })
    expect(res.status).toBe(200)
    expect(tc.collector.store.getTrace(TRACE)).toHaveLength(3)
  })
})
