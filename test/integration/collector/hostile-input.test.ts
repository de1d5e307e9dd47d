import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadOtlpTypes } from '../../../src/collector/otlp-schema.js'
import { MAX_QUERY_LIMIT, parseLimit } from '../../../src/collector/search-params.js'
import { field } from '../../helpers/protobuf-wire.js'
import { startTestCollector, type TestCollector } from './collector-fixture.js'

type AnyValue = Record<string, unknown>
type SearchBody = { traces: Array<{ traceID: string }> }

/** An AnyValue nested `depth` arrays deep around a string. */
function nested(depth: number): AnyValue {
  let value: AnyValue = { stringValue: 'bottom' }
  for (let i = 0; i < depth; i++) value = { arrayValue: { values: [value] } }
  return value
}

function spanRequest(traceId: string, attributes: Array<{ key: string; value: AnyValue }>) {
  return {
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId: '2'.repeat(16),
                name: 'odd',
                startTimeUnixNano: '1700000000000000000',
                endTimeUnixNano: '1700000001000000000',
                attributes,
              },
            ],
          },
        ],
      },
    ],
  }
}

/**
 * An ExportTraceServiceRequest written field by field (protobufjs refuses to encode this deep): one span
 * whose attribute `deep` is an AnyValue holding an ArrayValue holding an AnyValue ... `depth` times.
 */
function deepProtobuf(traceId: string, depth: number): Buffer {
  let value = field(1, Buffer.from('bottom')) // AnyValue.string_value = 1
  for (let i = 0; i < depth; i++) value = field(5, field(1, value)) // AnyValue.array_value = 5 { values = 1 }
  const attribute = Buffer.concat([field(1, Buffer.from('deep')), field(2, value)]) // KeyValue key=1 value=2
  const span = Buffer.concat([
    field(1, Buffer.from(traceId, 'hex')), // trace_id = 1
    field(2, Buffer.from('2'.repeat(16), 'hex')), // span_id = 2
    field(5, Buffer.from('odd')), // name = 5
    field(9, attribute), // attributes = 9
  ])
  return field(1, field(2, field(2, span))) // resource_spans=1 { scope_spans=2 { spans=2 } }
}

describe('deep, odd and unbounded input to the collector', () => {
  let tc: TestCollector
  const postJson = (body: unknown) =>
    fetch(`${tc.collector.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  const get = (path: string) => fetch(`${tc.collector.url}${path}`)
  beforeAll(async () => {
    tc = await startTestCollector()
    // A searchable trace that every later search must keep finding.
    expect(
      (await postJson(spanRequest('a'.repeat(32), [{ key: 'team', value: { stringValue: 'blue' } }]))).status,
    ).toBe(200)
  })
  afterAll(() => tc.stop())

  it('answers 400 with a message for an attribute nested 10,000 deep (JSON), not 500', async () => {
    // Written as text: JSON.stringify itself cannot walk 10,000 levels.
    const deep = `${'{"arrayValue":{"values":['.repeat(10_000)}{"stringValue":"bottom"}${']}}'.repeat(10_000)}`
    const body = JSON.stringify(spanRequest('b'.repeat(32), [{ key: 'deep', value: { stringValue: 'X' } }]))
    const res = await fetch(`${tc.collector.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body.replace('{"stringValue":"X"}', deep),
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { message: string }).message).toMatch(
      /nests arrays or kvlists deeper than 64 levels/,
    )
  })

  it('answers 400 for protobuf nested 10,000 deep, and stores nothing of it', async () => {
    const res = await fetch(`${tc.collector.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: deepProtobuf('c'.repeat(32), 10_000),
    })
    expect(res.status).toBe(400)
    const types = await loadOtlpTypes()
    expect(
      (types.rpcStatus.decode(new Uint8Array(await res.arrayBuffer())) as unknown as { message: string })
        .message,
    ).toMatch(/max depth exceeded/)
    expect(tc.collector.store.getTrace('c'.repeat(32))).toEqual([])
  })

  it('stores a value nested to the cap and keeps attribute searches answering', async () => {
    expect((await postJson(spanRequest('d'.repeat(32), [{ key: 'deep', value: nested(63) }]))).status).toBe(
      200,
    )
    const search = await get('/api/search?tags=team%3Dblue')
    expect(search.status).toBe(200)
    expect(((await search.json()) as SearchBody).traces.map((t) => t.traceID)).toContain('a'.repeat(32))
    expect((await get(`/api/traces/${'d'.repeat(32)}`)).status).toBe(200)
  })

  it('keeps an attribute named __proto__ as data', async () => {
    const id = 'e'.repeat(32)
    await postJson(spanRequest(id, [{ key: '__proto__', value: { stringValue: 'kept' } }]))
    const [span] = tc.collector.store.getTrace(id)
    expect(Object.hasOwn(span?.attributes ?? {}, '__proto__')).toBe(true)
    expect(span?.attributes.__proto__).toBe('kept')
    expect(Object.getPrototypeOf(span?.attributes)).toBe(Object.prototype)
    const search = (await (await get('/api/search?tags=__proto__%3Dkept')).json()) as SearchBody
    expect(search.traces.map((t) => t.traceID)).toEqual([id])
  })

  it('answers 400 for a trace id that is not valid percent-encoding', async () => {
    const res = await get('/api/traces/%E0%A4%A')
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toMatch(/not valid percent-encoding/)
  })

  it('refuses a negative or fractional limit instead of dumping every span', async () => {
    for (const path of [
      '/api/goblin/spans?after=0&limit=-1',
      '/api/search?limit=-1',
      '/api/goblin/spans?after=0&limit=1.5',
    ]) {
      const res = await get(path)
      expect(res.status, path).toBe(400)
      expect(((await res.json()) as { error: string }).error).toMatch(/limit must be a positive integer/)
    }
    const one = (await (await get('/api/goblin/spans?after=0&limit=1')).json()) as { spans: unknown[] }
    expect(one.spans).toHaveLength(1)
  })

  it('clamps a huge limit to the most one query answers', () => {
    expect(parseLimit('99999999999')).toBe(MAX_QUERY_LIMIT)
    expect(parseLimit('25')).toBe(25)
    expect(() => parseLimit('1e9')).toThrow(/positive integer/)
  })
})
