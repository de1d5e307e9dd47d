import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { spansFromTraceRequest } from '../../../src/collector/otlp-decode.js'
import { loadOtlpTypes, type OtlpTypes } from '../../../src/collector/otlp-schema.js'
import { decodeTracesProtobuf, u64Decimal } from '../../../src/collector/otlp-traces-protobuf.js'
import { field } from '../../helpers/protobuf-wire.js'

// The direct reader against the generic path it replaced for protobuf bodies: protobufjs' decode of the
// same bytes, mapped by spansFromTraceRequest (still the path of OTLP/JSON and Tempo's answers).
let types: OtlpTypes
beforeAll(async () => {
  types = await loadOtlpTypes()
})

function viaProtobufjs(bytes: Uint8Array) {
  return spansFromTraceRequest(types.traceRequest.decode(bytes))
}

function encode(request: object): Uint8Array {
  return types.traceRequest.encode(types.traceRequest.fromObject(request)).finish()
}

const leafValue = fc.oneof(
  fc.record({ stringValue: fc.string({ unit: 'grapheme', maxLength: 12 }) }),
  fc.record({ intValue: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String) }),
  fc.record({ intValue: fc.integer({ min: -1000, max: 1000 }) }),
  fc.record({ doubleValue: fc.double({ noNaN: true }) }),
  fc.record({ boolValue: fc.boolean() }),
  fc.record({ bytesValue: fc.uint8Array({ maxLength: 6 }) }),
  fc.constant({}),
)
const { anyValue } = fc.letrec((tie) => ({
  anyValue: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafValue,
    fc.record({ arrayValue: fc.record({ values: fc.array(tie('anyValue'), { maxLength: 3 }) }) }),
    fc.record({ kvlistValue: fc.record({ values: fc.array(tie('keyValue'), { maxLength: 3 }) }) }),
  ),
  keyValue: fc.record(
    {
      key: fc.oneof(fc.constantFrom('a', 'b', '__proto__', '', 'service.name'), fc.string()),
      value: tie('anyValue'),
    },
    { requiredKeys: ['key'] },
  ),
}))
const keyValue = fc.record(
  {
    key: fc.oneof(fc.constantFrom('a', 'b', '__proto__', '', 'service.name', 'goblin.id'), fc.string()),
    value: anyValue,
  },
  { requiredKeys: ['key'] },
)
const attributes = fc.array(keyValue, { maxLength: 4 })
// Mostly valid ids, sometimes empty, zero or of the wrong length.
const idOf = (bytes: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.uint8Array({ minLength: bytes, maxLength: bytes }) },
    { weight: 1, arbitrary: fc.constant(new Uint8Array(bytes)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: bytes + 1 }) },
  )
const nanos = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
  fc.bigInt({ min: 1_700_000_000_000_000_000n, max: 1_800_000_000_000_000_000n }).map(String),
)
const span = fc.record(
  {
    traceId: idOf(16),
    spanId: idOf(8),
    parentSpanId: idOf(8),
    name: fc.string(),
    traceState: fc.string({ maxLength: 4 }),
    kind: fc.integer({ min: -1, max: 6 }),
    startTimeUnixNano: nanos,
    endTimeUnixNano: nanos,
    attributes,
    events: fc.array(
      fc.record({ timeUnixNano: nanos, name: fc.string(), attributes }, { requiredKeys: [] }),
      {
        maxLength: 2,
      },
    ),
    links: fc.array(
      fc.record(
        { traceId: idOf(16), spanId: idOf(8), traceState: fc.string({ maxLength: 4 }), attributes },
        { requiredKeys: [] },
      ),
      { maxLength: 2 },
    ),
    status: fc.record(
      { code: fc.integer({ min: -1, max: 3 }), message: fc.string({ maxLength: 5 }) },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
)
const request = fc.record({
  resourceSpans: fc.array(
    fc.record(
      {
        resource: fc.record({ attributes }, { requiredKeys: [] }),
        schemaUrl: fc.string({ maxLength: 3 }),
        scopeSpans: fc.array(
          fc.record(
            {
              scope: fc.record(
                { name: fc.string({ maxLength: 5 }), version: fc.string({ maxLength: 3 }), attributes },
                { requiredKeys: [] },
              ),
              spans: fc.array(span, { maxLength: 4 }),
              schemaUrl: fc.string({ maxLength: 3 }),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
      },
      { requiredKeys: [] },
    ),
    { maxLength: 3 },
  ),
})

describe('decodeTracesProtobuf, the direct reader of OTLP/protobuf traces', () => {
  it('gives the records, rejections and first error of protobufjs + spansFromTraceRequest', () => {
    fc.assert(
      fc.property(request, (req) => {
        const bytes = encode(req)
        expect(decodeTracesProtobuf(bytes)).toEqual(viaProtobufjs(bytes))
      }),
      { numRuns: 400 },
    )
  })

  it('refuses every truncation of a request protobufjs also refuses, and reads the others alike', () => {
    fc.assert(
      fc.property(request, fc.nat(), (req, cut) => {
        const bytes = encode(req)
        if (bytes.length === 0) return
        const head = bytes.subarray(0, cut % bytes.length)
        let expected: unknown
        try {
          expected = viaProtobufjs(head)
        } catch {
          expect(() => decodeTracesProtobuf(head)).toThrow(/not an ExportTraceServiceRequest/)
          return
        }
        expect(decodeTracesProtobuf(head)).toEqual(expected)
      }),
      { numRuns: 300 },
    )
  })

  it('reads a resource and a scope sent after their spans, and merges a resource sent twice', () => {
    const spanBytes = encode({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: Buffer.alloc(16, 1),
                  spanId: Buffer.alloc(8, 2),
                  name: 'late',
                  startTimeUnixNano: '5',
                },
              ],
            },
          ],
        },
      ],
    })
    const resource = (name: string) =>
      types.traceRequest
        .lookupType('otlp.Resource')
        .encode({ attributes: [{ key: 'service.name', value: { stringValue: name } }] })
        .finish()
    const otherAttribute = types.traceRequest
      .lookupType('otlp.Resource')
      .encode({ attributes: [{ key: 'host', value: { stringValue: 'h' } }] })
      .finish()
    const scope = types.traceRequest.lookupType('otlp.InstrumentationScope').encode({ name: 'lib' }).finish()
    // The one ResourceSpans of spanBytes, rebuilt: its scopeSpans (with a scope appended after the spans),
    // then two resources, which protobufjs merges (their attributes appended, the later service.name wins).
    const decoded = types.traceRequest.decode(spanBytes) as unknown as {
      resourceSpans: Array<{ scopeSpans: unknown[] }>
    }
    const scopeSpansType = types.traceRequest.lookupType('otlp.ScopeSpans')
    const scopeSpans = Buffer.concat([
      scopeSpansType
        .encode(scopeSpansType.fromObject(decoded.resourceSpans[0]?.scopeSpans[0] as object))
        .finish(),
      field(1, scope),
    ])
    const resourceSpans = Buffer.concat([
      field(2, scopeSpans),
      field(1, resource('first')),
      field(1, resource('svc')),
      field(1, otherAttribute),
    ])
    const bytes = field(1, resourceSpans)
    const ours = decodeTracesProtobuf(bytes)
    expect(ours).toEqual(viaProtobufjs(bytes))
    expect(ours.spans[0]).toMatchObject({ serviceName: 'svc', scopeName: 'lib', name: 'late' })
    expect(ours.spans[0]?.resource).toEqual({ 'service.name': 'svc', host: 'h' })
  })

  it('refuses invalid UTF-8 in any declared string field, as protobufjs does', () => {
    const withScope = (scope: object, span: object = {}) =>
      Buffer.from(
        encode({
          resourceSpans: [
            {
              scopeSpans: [
                {
                  scope,
                  spans: [{ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 1), name: 'ok', ...span }],
                },
              ],
            },
          ],
        }),
      )
    for (const bytes of [
      withScope({ name: 'ab' }),
      withScope({ version: 'ab' }),
      withScope({ attributes: [{ key: 'ab', value: { stringValue: 'x' } }] }),
      withScope({}, { traceState: 'ab' }),
    ]) {
      expect(decodeTracesProtobuf(bytes).spans).toHaveLength(1)
      bytes[bytes.indexOf('ab')] = 0xff
      expect(() => viaProtobufjs(bytes)).toThrow()
      expect(() => decodeTracesProtobuf(bytes)).toThrow(/not an ExportTraceServiceRequest/)
    }
  })

  it("refuses values nested past protobufjs' depth limit, and reads them at the limit", () => {
    // Built by hand: protobufjs' encoder stops at its own depth limit.
    const str = (text: string) => Buffer.from(text)
    const nested = (levels: number, list: 'arrayValue' | 'kvlistValue') => {
      let value = field(1, str('x'))
      for (let i = 0; i < levels; i++)
        value =
          list === 'arrayValue'
            ? field(5, field(1, value))
            : field(6, field(1, Buffer.concat([field(1, str('k')), field(2, value)])))
      const span = Buffer.concat([
        field(1, Buffer.alloc(16, 1)),
        field(2, Buffer.alloc(8, 1)),
        field(9, Buffer.concat([field(1, str('k')), field(2, value)])),
      ])
      return field(1, field(2, field(2, span)))
    }
    for (const list of ['arrayValue', 'kvlistValue'] as const) {
      const outcomes = new Set<string>()
      for (let levels = 25; levels < 50; levels++) {
        const bytes = nested(levels, list)
        let expected: unknown
        try {
          expected = viaProtobufjs(bytes)
        } catch (error) {
          expect((error as Error).message).toMatch(/max depth exceeded/)
          expect(() => decodeTracesProtobuf(bytes)).toThrow(/max depth exceeded/)
          outcomes.add('refused')
          continue
        }
        expect(decodeTracesProtobuf(bytes)).toEqual(expected)
        outcomes.add('read')
      }
      expect([...outcomes].sort()).toEqual(['read', 'refused'])
    }
  })

  it('writes unsigned 64-bit values in decimal exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (n) => {
        expect(u64Decimal(Number(n & 0xffffffffn), Number(n >> 32n))).toBe(n.toString())
      }),
    )
    expect(u64Decimal(0xffffffff, 0xffffffff)).toBe('18446744073709551615')
    expect(u64Decimal(0, 0x200000)).toBe((2n ** 53n).toString())
  })
})
