import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  decodeMetricsJson,
  decodeMetricsProtobuf,
  type MetricPoint,
} from '../../../src/collector/otlp-decode-metrics.js'
import { loadOtlpTypes } from '../../../src/collector/otlp-schema.js'
import { REPO_ROOT } from '../../helpers/cli.js'

const fixture = (name: string) => readFileSync(join(REPO_ROOT, 'test/fixtures/agents', name), 'utf8')

/** An OTLP/JSON metrics request with the given Metric messages under one resource and scope. */
function request(metrics: unknown[], resource: Record<string, string> = { 'service.name': 'svc' }): string {
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: {
          attributes: Object.entries(resource).map(([key, v]) => ({ key, value: { stringValue: v } })),
        },
        scopeMetrics: [{ scope: { name: 'lib', version: '1.0' }, metrics }],
      },
    ],
  })
}

const T0 = '1700000000000000000'
const T1 = '1700000060000000000'

describe('OTLP/JSON metrics', () => {
  it('reads the metrics Claude Code 2.1.332 sent: delta counters with their resource, scope and attributes', () => {
    const { points, rejected } = decodeMetricsJson(fixture('claude-code-2.1.332-tool-accept-metrics.json'))
    expect(rejected).toBe(0)
    const cost = points.find((p) => p.stream.name === 'claude_code.cost.usage') as MetricPoint
    expect(cost.stream).toMatchObject({
      kind: 'sum',
      temporality: 'delta',
      monotonic: true,
      unit: 'USD',
      serviceName: 'claude-code',
      scopeName: 'com.anthropic.claude_code',
      scopeVersion: '2.1.332',
      resource: { 'goblin.id': 'fixture-goblin', 'task.id': 'fixture-task' },
    })
    expect(cost).toMatchObject({
      value: 0.0017850000000000001,
      startTimeUnixNano: '1796242014542000000',
      timeUnixNano: '1796242014658000000',
      attributes: { model: 'claude-sonnet-4-5', 'session.id': 'ff21bf51-7bdb-4f65-be29-9287e08842c2' },
    })
    const tokens = points.filter((p) => p.stream.name === 'claude_code.token.usage')
    // Two API calls in that run (the tool call, then the answer), each with the fake server's usage.
    expect(Object.fromEntries(tokens.map((p) => [p.attributes.type, p.value]))).toEqual({
      input: 2 * 100,
      output: 2 * 20,
      cacheRead: 2 * 200,
      cacheCreation: 2 * 50,
    })
    // Points of one Metric message share one stream object (the store keys series by it).
    expect(new Set(tokens.map((p) => p.stream)).size).toBe(1)
  })

  it('reads the cumulative sums and histograms Gemini CLI 0.61.0 sent, integers given as asInt', () => {
    const { points, rejected } = decodeMetricsJson(fixture('gemini-cli-0.61.0-tool-accept-metrics.json'))
    expect(rejected).toBe(0)
    const requests = points.find((p) => p.stream.name === 'gemini_cli.api.request.count') as MetricPoint
    expect(requests.stream).toMatchObject({ kind: 'sum', temporality: 'cumulative', monotonic: true })
    expect(requests.value).toBe(2)
    const latency = points.find((p) => p.stream.name === 'gemini_cli.api.request.latency') as MetricPoint
    expect(latency.stream).toMatchObject({ kind: 'histogram', temporality: 'cumulative', monotonic: false })
    expect(latency).toMatchObject({ count: 2, value: null })
    expect(latency.sum).toBeGreaterThan(0)
    const buckets = latency.buckets as { bounds: number[]; counts: number[] }
    expect(buckets.counts).toHaveLength(buckets.bounds.length + 1)
    expect(buckets.counts.reduce((a, b) => a + b, 0)).toBe(2)
  })

  it('reads gauges, exponential histograms and summaries, and enum names for temporality', () => {
    const { points, rejected } = decodeMetricsJson(
      request([
        { name: 'temp', unit: 'Cel', gauge: { dataPoints: [{ timeUnixNano: T1, asDouble: 21.5 }] } },
        {
          name: 'latency',
          exponentialHistogram: {
            aggregationTemporality: 'AGGREGATION_TEMPORALITY_DELTA',
            dataPoints: [
              {
                startTimeUnixNano: T0,
                timeUnixNano: T1,
                count: '5',
                sum: 12.5,
                scale: -1,
                zeroCount: '1',
                positive: { offset: 2, bucketCounts: ['1', 3] },
                negative: {},
              },
            ],
          },
        },
        {
          name: 'rpc',
          summary: {
            dataPoints: [
              {
                startTimeUnixNano: T0,
                timeUnixNano: T1,
                count: 3,
                sum: 0.6,
                quantileValues: [
                  { quantile: 0.5, value: 0.2 },
                  { quantile: 1, value: 0.3 },
                ],
              },
            ],
          },
        },
      ]),
    )
    expect(rejected).toBe(0)
    const [gauge, exp, summary] = points as [MetricPoint, MetricPoint, MetricPoint]
    expect(gauge.stream).toMatchObject({ kind: 'gauge', temporality: 'none', unit: 'Cel' })
    expect(gauge).toMatchObject({ value: 21.5, startTimeUnixNano: '0' })
    expect(exp.stream).toMatchObject({ kind: 'exponential_histogram', temporality: 'delta' })
    expect(exp).toMatchObject({
      count: 5,
      sum: 12.5,
      buckets: {
        scale: -1,
        zeroCount: 1,
        zeroThreshold: 0,
        positive: { offset: 2, counts: [1, 3] },
        negative: { offset: 0, counts: [] },
      },
    })
    expect(summary.stream).toMatchObject({ kind: 'summary', temporality: 'cumulative' })
    expect(summary).toMatchObject({
      count: 3,
      sum: 0.6,
      buckets: {
        quantiles: [
          { quantile: 0.5, value: 0.2 },
          { quantile: 1, value: 0.3 },
        ],
      },
    })
  })

  it('refuses, alone, points it cannot use, and says why the first was refused', () => {
    const { points, rejected, firstError } = decodeMetricsJson(
      request([
        {
          name: 'no.temporality',
          sum: {
            dataPoints: [
              { timeUnixNano: T1, asInt: 1 },
              { timeUnixNano: T1, asInt: 2 },
            ],
          },
        },
        { name: '', gauge: { dataPoints: [{ timeUnixNano: T1, asInt: 1 }] } },
        { name: 'no.time', gauge: { dataPoints: [{ asInt: 1 }] } },
        { name: 'no.value', gauge: { dataPoints: [{ timeUnixNano: T1 }] } },
        {
          name: 'backwards',
          sum: {
            aggregationTemporality: 2,
            dataPoints: [{ startTimeUnixNano: T1, timeUnixNano: T0, asInt: 1 }],
          },
        },
        { name: 'far.future', gauge: { dataPoints: [{ timeUnixNano: '18446744073709551615', asInt: 1 }] } },
        { name: 'stale', gauge: { dataPoints: [{ timeUnixNano: T1, flags: 1 }] } },
        { name: 'good', gauge: { dataPoints: [{ timeUnixNano: T1, asInt: '-7' }] } },
      ]),
    )
    expect(points.map((p) => [p.stream.name, p.value])).toEqual([['good', -7]])
    // The staleness marker is neither stored nor refused.
    expect(rejected).toBe(7)
    expect(firstError).toBe(
      'resourceMetrics[0].scopeMetrics[0].metrics[0]: no.temporality: aggregationTemporality is unspecified (send delta or cumulative)',
    )
    const one = (metric: unknown) => decodeMetricsJson(request([metric])).firstError
    expect(one({ name: 'x', gauge: { dataPoints: [{ asInt: 1 }] } })).toMatch(
      /dataPoints\[0\]: x: timeUnixNano is missing$/,
    )
    expect(one({ name: 'x', gauge: { dataPoints: [{ timeUnixNano: T1 }] } })).toMatch(
      /neither asDouble nor asInt/,
    )
    expect(
      one({ name: 'x', gauge: { dataPoints: [{ timeUnixNano: '18446744073709551615', asInt: 1 }] } }),
    ).toMatch(/timeUnixNano is past 9223372036854775807 \(year 2262\)/)
    expect(
      one({
        name: 'x',
        sum: {
          aggregationTemporality: 1,
          dataPoints: [{ startTimeUnixNano: T1, timeUnixNano: T0, asInt: 1 }],
        },
      }),
    ).toMatch(/startTimeUnixNano is after timeUnixNano/)
  })

  it('keeps NaN out of the value (SQLite would store it as NULL anyway)', () => {
    const { points } = decodeMetricsJson(
      request([{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: T1, asDouble: 'NaN' }] } }]),
    )
    expect(points[0]?.value).toBeNull()
  })

  const wrongTypes: Array<[string, unknown, RegExp]> = [
    [
      'a string value',
      { name: 'x', gauge: { dataPoints: [{ timeUnixNano: T1, asDouble: 'lots' }] } },
      /metrics\[0\]\.gauge\.dataPoints\[0\]\.asDouble: "lots" is not a number/,
    ],
    [
      'a fractional asInt',
      { name: 'x', gauge: { dataPoints: [{ timeUnixNano: T1, asInt: 1.5 }] } },
      /asInt: 1\.5 is not an integer/,
    ],
    [
      'an object asInt',
      { name: 'x', gauge: { dataPoints: [{ timeUnixNano: T1, asInt: { low: 'a' } }] } },
      /asInt: \{"low":"a"\} is not an integer/,
    ],
    [
      'dataPoints as an object',
      { name: 'x', gauge: { dataPoints: {} } },
      /metrics\[0\]\.gauge\.dataPoints is not an array/,
    ],
    ['a numeric name', { name: 7, gauge: { dataPoints: [] } }, /metrics\[0\]\.name: 7 is not a string/],
    [
      'isMonotonic as a string',
      { name: 'x', sum: { isMonotonic: 'yes', aggregationTemporality: 1, dataPoints: [] } },
      /sum\.isMonotonic: "yes" is not a boolean/,
    ],
    [
      'a negative count',
      { name: 'x', histogram: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: T1, count: -1 }] } },
      /count: -1 is not a count \(negative\)/,
    ],
    [
      'a bucket count that is text',
      {
        name: 'x',
        histogram: {
          aggregationTemporality: 1,
          dataPoints: [{ timeUnixNano: T1, count: 1, bucketCounts: ['one'] }],
        },
      },
      /bucketCounts\[0\]: "one" is not an integer/,
    ],
    [
      'a time that is a word',
      { name: 'x', gauge: { dataPoints: [{ timeUnixNano: 'soon', asInt: 1 }] } },
      /timeUnixNano: "soon" is not Unix nanoseconds/,
    ],
    [
      'a negative time',
      { name: 'x', gauge: { dataPoints: [{ timeUnixNano: -5, asInt: 1 }] } },
      /timeUnixNano: "-5" is not Unix nanoseconds/,
    ],
    [
      'a temporality that is an object',
      { name: 'x', sum: { aggregationTemporality: {}, dataPoints: [] } },
      /aggregationTemporality: \{\} is not an enum value/,
    ],
    ['a metric that is a string', 'sum', /metrics\[0\] is not an object/],
  ]
  for (const [what, metric, message] of wrongTypes) {
    it(`refuses the whole body for ${what} (HTTP 400), naming the field`, () => {
      expect(() => decodeMetricsJson(request([metric]))).toThrowError(message)
    })
  }

  it('refuses JSON that does not parse', () => {
    expect(() => decodeMetricsJson('{"resourceMetrics": [')).toThrowError(/JSON body does not parse/)
  })
})

describe('OTLP/protobuf metrics', () => {
  it('reads what the JSON reads: Longs for int64 and fixed64, optional sums, signed ints', async () => {
    const types = await loadOtlpTypes()
    const bytes = types.metricsRequest
      .encode(
        types.metricsRequest.fromObject({
          resourceMetrics: [
            {
              resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
              scopeMetrics: [
                {
                  scope: { name: 'lib' },
                  metrics: [
                    {
                      name: 'balance',
                      sum: {
                        aggregationTemporality: 2,
                        isMonotonic: false,
                        dataPoints: [{ startTimeUnixNano: T0, timeUnixNano: T1, asInt: -5_000_000_000 }],
                      },
                    },
                    {
                      name: 'latency',
                      histogram: {
                        aggregationTemporality: 1,
                        dataPoints: [
                          {
                            startTimeUnixNano: T0,
                            timeUnixNano: T1,
                            count: 3,
                            bucketCounts: [1, 2],
                            explicitBounds: [10],
                            attributes: [{ key: 'route', value: { stringValue: '/a' } }],
                          },
                        ],
                      },
                    },
                  ],
                },
              ],
            },
          ],
        }),
      )
      .finish()
    const { points, rejected } = decodeMetricsProtobuf(types, bytes)
    expect(rejected).toBe(0)
    const [balance, latency] = points as [MetricPoint, MetricPoint]
    expect(balance.stream).toMatchObject({
      kind: 'sum',
      temporality: 'cumulative',
      monotonic: false,
      scopeName: 'lib',
    })
    expect(balance).toMatchObject({ value: -5_000_000_000, startTimeUnixNano: T0, timeUnixNano: T1 })
    // No sum was sent: it stays unknown rather than zero.
    expect(latency).toMatchObject({
      count: 3,
      sum: null,
      min: null,
      attributes: { route: '/a' },
      buckets: { bounds: [10], counts: [1, 2] },
    })
  })

  it('refuses bytes that are not an ExportMetricsServiceRequest', async () => {
    const types = await loadOtlpTypes()
    expect(() => decodeMetricsProtobuf(types, Buffer.from([0x0a, 0xff, 0xff, 0x01]))).toThrowError(
      /protobuf body is not an ExportMetricsServiceRequest/,
    )
  })
})
