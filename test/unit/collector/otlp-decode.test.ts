import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeLogsJson, decodeTracesJson, parseOtlpJson } from '../../../src/collector/otlp-decode.js'
import { toOtlpJson } from '../../../src/collector/otlp-encode-json.js'
import { loadOtlpTypes } from '../../../src/collector/otlp-schema.js'
import { decodeTracesProtobuf } from '../../../src/collector/otlp-traces-protobuf.js'
import { REPO_ROOT } from '../../helpers/cli.js'

const example = readFileSync(
  join(REPO_ROOT, 'test/fixtures/otlp/opentelemetry-proto-example-trace.json'),
  'utf8',
)

describe('OTLP/JSON decoding', () => {
  it('decodes the opentelemetry-proto example (upper-case hex ids, times as bare numbers)', () => {
    const { spans, rejected } = decodeTracesJson(example)
    expect(rejected).toBe(0)
    expect(spans).toEqual([
      {
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        parentSpanId: 'eee19b7ec3c1b173',
        name: "I'm a server span",
        kind: 2,
        startTimeUnixNano: '1544712660000000000',
        endTimeUnixNano: '1544712661000000000',
        statusCode: 0,
        serviceName: 'my.service',
        attributes: { 'my.span.attr': 'some value' },
        resource: { 'service.name': 'my.service' },
        scopeName: 'my.library',
      },
    ])
  })

  it('keeps nanosecond times exact beyond 2^53 whether written as numbers or strings', () => {
    const body = (start: string) =>
      `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","startTimeUnixNano":${start},"endTimeUnixNano":"1700000000123456789"}]}]}]}`
    expect(decodeTracesJson(body('1700000000000000001')).spans[0]?.startTimeUnixNano).toBe(
      '1700000000000000001',
    )
    expect(decodeTracesJson(body('"1700000000000000003"')).spans[0]?.startTimeUnixNano).toBe(
      '1700000000000000003',
    )
    expect(decodeTracesJson(body('0')).spans[0]?.endTimeUnixNano).toBe('1700000000123456789')
  })

  it('rejects spans with invalid ids and keeps the valid ones (partial success)', () => {
    const span = (traceId: string, spanId: string, parent?: string) =>
      JSON.stringify({
        traceId,
        spanId,
        ...(parent === undefined ? {} : { parentSpanId: parent }),
        name: 'x',
      })
    const good = span('0102030405060708090a0b0c0d0e0f10', '0102030405060708')
    const body = `{"resourceSpans":[{"scopeSpans":[{"spans":[${[
      good,
      span('00000000000000000000000000000000', '0102030405060708'),
      span('0102030405060708090a0b0c0d0e0f', '0102030405060708'),
      span('zz02030405060708090a0b0c0d0e0f10', '0102030405060708'),
      span('0102030405060708090a0b0c0d0e0f10', ''),
      span('0102030405060708090a0b0c0d0e0f10', '0102030405060708', 'abc'),
    ].join(',')}]}]}]}`
    const decoded = decodeTracesJson(body)
    expect(decoded.spans).toHaveLength(1)
    expect(decoded.rejected).toBe(5)
    expect(decoded.firstError).toMatch(/spans\[1\]: invalid traceId/)
  })

  it('reads enum names and nested attribute values', () => {
    const body = JSON.stringify({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '0102030405060708090a0b0c0d0e0f10',
                  spanId: '0102030405060708',
                  kind: 'SPAN_KIND_CLIENT',
                  status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
                  attributes: [
                    { key: 'i', value: { intValue: '42' } },
                    { key: 'big', value: { intValue: '9007199254740993' } },
                    { key: 'd', value: { doubleValue: 1.5 } },
                    { key: 'b', value: { boolValue: true } },
                    { key: 'a', value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: 1 }] } } },
                    {
                      key: 'kv',
                      value: { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } },
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    })
    const [span] = decodeTracesJson(body).spans
    expect(span?.kind).toBe(3)
    expect(span?.statusCode).toBe(2)
    expect(span?.statusMessage).toBe('boom')
    expect(span?.serviceName).toBe('unknown')
    expect(span?.attributes).toEqual({
      i: 42,
      big: '9007199254740993',
      d: 1.5,
      b: true,
      a: ['x', 1],
      kv: { k: 'v' },
    })
  })

  it('refuses bodies that are not OTLP requests', () => {
    expect(() => decodeTracesJson('{"resourceSpans": [')).toThrow(/does not parse/)
    expect(() => decodeTracesJson('{"resourceSpans": {"x": 1}}')).toThrow(/resourceSpans is not an array/)
    expect(() => decodeTracesJson('[1,2]')).toThrow(/request is not an object/)
  })

  it('accepts base64 ids only when asked (Tempo answers with them)', () => {
    const body = JSON.stringify({
      batches: [
        { scopeSpans: [{ spans: [{ traceId: 'AQIDBAUGBwgJCgsMDQ4PEA==', spanId: 'AQIDBAUGBwg=' }] }] },
      ],
    })
    expect(decodeTracesJson(body).rejected).toBe(1)
    const [span] = decodeTracesJson(body, { base64Ids: true }).spans
    expect(span?.traceId).toBe('0102030405060708090a0b0c0d0e0f10')
    expect(span?.spanId).toBe('0102030405060708')
  })

  it('round-trips through the OTLP/JSON encoder', () => {
    const { spans } = decodeTracesJson(example)
    const again = decodeTracesJson(JSON.stringify({ resourceSpans: toOtlpJson(spans) })).spans
    expect(again).toEqual(spans)
  })

  it('decodes logs and checks their ids', () => {
    const body = JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
          scopeLogs: [
            {
              logRecords: [
                { timeUnixNano: '1700000000000000000', severityNumber: 9, body: { stringValue: 'hello' } },
                { traceId: 'nothex', body: { stringValue: 'bad' } },
              ],
            },
          ],
        },
      ],
    })
    const decoded = decodeLogsJson(body)
    expect(decoded.logs).toHaveLength(1)
    expect(decoded.logs[0]).toMatchObject({
      serviceName: 'api',
      body: 'hello',
      severityNumber: 9,
      traceId: null,
    })
    expect(decoded.rejected).toBe(1)
  })

  it('parseOtlpJson leaves ordinary numbers alone', () => {
    expect(parseOtlpJson('{"kind": 2, "doubleValue": 0.1}')).toEqual({ kind: 2, doubleValue: 0.1 })
  })
})

describe('OTLP protobuf decoding', () => {
  it('decodes a request encoded by protobufjs, root span included', async () => {
    const types = await loadOtlpTypes()
    const message = types.traceRequest.fromObject({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
          scopeSpans: [
            {
              scope: { name: 'lib' },
              spans: [
                {
                  traceId: Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex'),
                  spanId: Buffer.from('0102030405060708', 'hex'),
                  name: 'root',
                  kind: 2,
                  startTimeUnixNano: '1700000000000000001',
                  endTimeUnixNano: '1700000000500000001',
                  attributes: [{ key: 'n', value: { intValue: -5 } }],
                  status: { code: 2, message: 'bad' },
                },
              ],
            },
          ],
        },
      ],
    })
    const bytes = types.traceRequest.encode(message).finish()
    const { spans, rejected } = decodeTracesProtobuf(bytes)
    expect(rejected).toBe(0)
    expect(spans[0]).toMatchObject({
      traceId: '0102030405060708090a0b0c0d0e0f10',
      parentSpanId: null,
      name: 'root',
      startTimeUnixNano: '1700000000000000001',
      endTimeUnixNano: '1700000000500000001',
      statusCode: 2,
      attributes: { n: -5 },
      scopeName: 'lib',
    })
    expect(() => decodeTracesProtobuf(bytes.subarray(0, bytes.length - 7))).toThrow(
      /not an ExportTraceServiceRequest/,
    )
  })
})
