import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ALL_TIME } from '../../../src/collector/metric-params.js'
import { loadOtlpTypes } from '../../../src/collector/otlp-schema.js'
import { SPAN_DB_FILE } from '../../../src/collector/span-store.js'
import { REPO_ROOT } from '../../helpers/cli.js'
import { metricValue, startTestCollector, type TestCollector } from './collector-fixture.js'

const T1 = '1700000060000000000'

/** An OTLP/JSON body with gauge points `values` of metric `name`, and `unusable` sum points without temporality. */
function body(name: string, values: number[], unusable = 0): string {
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'receiver-test' } }] },
        scopeMetrics: [
          {
            metrics: [
              {
                name,
                gauge: {
                  dataPoints: values.map((v, i) => ({
                    timeUnixNano: String(BigInt(T1) + BigInt(i)),
                    asDouble: v,
                  })),
                },
              },
              ...(unusable > 0
                ? [
                    {
                      name: `${name}.unusable`,
                      sum: {
                        dataPoints: Array.from({ length: unusable }, () => ({ timeUnixNano: T1, asInt: 1 })),
                      },
                    },
                  ]
                : []),
            ],
          },
        ],
      },
    ],
  })
}

const post = (url: string, data: string | Uint8Array, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: data,
  })

describe('/v1/metrics answers as OTLP/HTTP says', () => {
  let tc: TestCollector
  beforeAll(async () => {
    tc = await startTestCollector()
  })
  afterAll(() => tc.stop())

  const stored = (name: string) =>
    tc.collector.store.metrics.view({ name, window: ALL_TIME })?.groups[0]?.points ?? 0

  it('stores what it acknowledged: a 200 means the points are readable from another connection', async () => {
    const res = await post(tc.collector.url, body('recv.durable', [1, 2, 3]))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({})
    // A separate read-only connection, as CLI readers open the file: the points are committed, not cached.
    const reader = new DatabaseSync(join(tc.dir, SPAN_DB_FILE), { readOnly: true })
    try {
      const row = reader
        .prepare(
          "SELECT count(*) AS n FROM metric_points p JOIN metric_series s ON s.id = p.series_id WHERE s.name = 'recv.durable'",
        )
        .get() as { n: number }
      expect(row.n).toBe(3)
    } finally {
      reader.close()
    }
  })

  it('answers partial success in JSON for points it refused alone, storing the rest', async () => {
    const res = await post(tc.collector.url, body('recv.partial', [5], 2))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      partialSuccess: {
        rejectedDataPoints: '2',
        errorMessage:
          'resourceMetrics[0].scopeMetrics[0].metrics[1]: recv.partial.unusable: aggregationTemporality is unspecified (send delta or cumulative)',
      },
    })
    expect(stored('recv.partial')).toBe(1)
    const text = await (await fetch(`${tc.collector.url}/metrics`)).text()
    expect(metricValue(text, 'goblin_metric_points_dropped_total{reason="invalid"}')).toBe(2)
  })

  it('answers partial success in protobuf for a protobuf request', async () => {
    const types = await loadOtlpTypes()
    const request = types.metricsRequest.fromObject({
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'recv.proto',
                  gauge: { dataPoints: [{ timeUnixNano: T1, asDouble: 1 }, { asDouble: 2 }] },
                },
              ],
            },
          ],
        },
      ],
    })
    const res = await post(tc.collector.url, types.metricsRequest.encode(request).finish(), {
      'content-type': 'application/x-protobuf',
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/x-protobuf')
    const answer = types.metricsResponse.toObject(
      types.metricsResponse.decode(new Uint8Array(await res.arrayBuffer())),
      {
        longs: Number,
      },
    )
    expect(answer).toEqual({
      partialSuccess: {
        rejectedDataPoints: 1,
        errorMessage:
          'resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[1]: recv.proto: timeUnixNano is missing',
      },
    })
    expect(stored('recv.proto')).toBe(1)
  })

  it('refuses a field of the wrong type with 400 and a message naming it, storing nothing of the request', async () => {
    const wrong = JSON.parse(body('recv.wrong', [1, 2])) as {
      resourceMetrics: Array<{
        scopeMetrics: Array<{ metrics: Array<{ gauge: { dataPoints: unknown[] } }> }>
      }>
    }
    const points = wrong.resourceMetrics[0]?.scopeMetrics[0]?.metrics[0]?.gauge.dataPoints as Array<
      Record<string, unknown>
    >
    ;(points[1] as Record<string, unknown>).asDouble = 'a lot'
    const res = await post(tc.collector.url, JSON.stringify(wrong))
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({
      code: 3,
      message:
        'resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[1].asDouble: "a lot" is not a number',
    })
    expect(tc.collector.store.metrics.view({ name: 'recv.wrong', window: ALL_TIME })).toBeNull()
  })

  it('refuses truncated protobuf with 400 and a google.rpc.Status', async () => {
    const types = await loadOtlpTypes()
    const bytes = types.metricsRequest
      .encode(
        types.metricsRequest.fromObject({
          resourceMetrics: [
            {
              scopeMetrics: [
                {
                  metrics: [{ name: 'recv.cut', gauge: { dataPoints: [{ timeUnixNano: T1, asDouble: 1 }] } }],
                },
              ],
            },
          ],
        }),
      )
      .finish()
    const res = await post(tc.collector.url, bytes.subarray(0, bytes.length - 5), {
      'content-type': 'application/x-protobuf',
    })
    expect(res.status).toBe(400)
    const status = types.rpcStatus.toObject(
      types.rpcStatus.decode(new Uint8Array(await res.arrayBuffer())),
    ) as {
      code: number
      message: string
    }
    expect(status.code).toBe(3)
    expect(status.message).toMatch(/^protobuf body is not an ExportMetricsServiceRequest/)
  })

  it('takes gzip, refuses a corrupt gzip body (400), an unknown content type (415) and GET (405)', async () => {
    expect(
      (await post(tc.collector.url, gzipSync(body('recv.gzip', [4])), { 'content-encoding': 'gzip' })).status,
    ).toBe(200)
    expect(stored('recv.gzip')).toBe(1)
    const corrupt = await post(tc.collector.url, Buffer.from('not gzip at all'), {
      'content-encoding': 'gzip',
    })
    expect(corrupt.status).toBe(400)
    expect(await corrupt.json()).toMatchObject({
      message: expect.stringMatching(/gzip body does not decompress/),
    })
    const text = await post(tc.collector.url, 'hello', { 'content-type': 'text/plain' })
    expect(text.status).toBe(415)
    expect(await text.text()).toMatch(/unsupported content type "text\/plain"/)
    const get = await fetch(`${tc.collector.url}/v1/metrics`)
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
  })

  it('reads the cost Claude Code 2.1.332 sent, by model, session and the resource goblin.id', async () => {
    const recorded = readFileSync(
      join(REPO_ROOT, 'test/fixtures/agents/claude-code-2.1.332-tool-accept-metrics.json'),
    )
    expect((await post(tc.collector.url, recorded)).status).toBe(200)
    expect(
      tc.collector.store.metrics.metricIncrease('claude_code.cost.usage', ALL_TIME, [
        'model',
        'session.id',
        'goblin.id',
      ]),
    ).toEqual([
      {
        attributes: {
          model: 'claude-sonnet-4-5',
          'session.id': 'ff21bf51-7bdb-4f65-be29-9287e08842c2',
          'goblin.id': 'fixture-goblin',
        },
        increase: 0.0017850000000000001,
        series: 1,
        points: 1,
        resets: 0,
      },
    ])
    // Re-delivered (an exporter retrying after a lost answer): stored once, the spend counted once.
    expect((await post(tc.collector.url, recorded)).status).toBe(200)
    expect(
      tc.collector.store.metrics.metricIncrease('claude_code.cost.usage', ALL_TIME, [])[0]?.increase,
    ).toBe(0.0017850000000000001)
  })
})

describe('the metrics read API refuses bad queries', () => {
  let tc: TestCollector
  beforeAll(async () => {
    tc = await startTestCollector()
    await post(tc.collector.url, body('api.gauge', [1]))
  })
  afterAll(() => tc.stop())

  const get = async (path: string) => {
    const res = await fetch(`${tc.collector.url}${path}`)
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }

  it('serves the list and one metric', async () => {
    expect((await get('/api/goblin/metrics?name=api.*')).body.metrics).toEqual([
      expect.objectContaining({ name: 'api.gauge', kind: 'gauge', points: 1 }),
    ])
    expect((await get('/api/goblin/metrics/api.gauge')).body).toMatchObject({
      name: 'api.gauge',
      groups: [{ value: 1 }],
    })
  })

  const bad: Array<[string, string, RegExp]> = [
    [
      'a start that is not Unix nanoseconds',
      '/api/goblin/metrics?start=yesterday',
      /start must be Unix nanoseconds/,
    ],
    [
      'an end past what the store holds',
      '/api/goblin/metrics?end=99999999999999999999',
      /end must be Unix nanoseconds/,
    ],
    ['a start after the end', '/api/goblin/metrics/api.gauge?start=20&end=10', /start 20 is after end 10/],
    ['malformed percent-encoding', '/api/goblin/metrics/%E0%A4%A', /not valid percent-encoding/],
    [
      '17 by attributes',
      `/api/goblin/metrics/api.gauge?${Array.from({ length: 17 }, (_, i) => `by=a${i}`).join('&')}`,
      /at most 16/,
    ],
    ['an empty by', '/api/goblin/metrics/api.gauge?by=', /by must be 1 to 255 characters/],
    [
      'a name longer than 255',
      `/api/goblin/metrics/${'x'.repeat(256)}`,
      /metric name must be 1 to 255 characters, got 256/,
    ],
  ]
  for (const [what, path, message] of bad) {
    it(`answers 400 for ${what}`, async () => {
      const answer = await get(path)
      expect(answer.status).toBe(400)
      expect(answer.body.error).toMatch(message)
    })
  }

  it('answers 404 with a code for a metric no series has', async () => {
    expect(await get('/api/goblin/metrics/no.such.metric')).toEqual({
      status: 404,
      body: { code: 'METRIC_NOT_FOUND', error: 'no metric named "no.such.metric" is stored' },
    })
  })
})

describe('bounded ingest queue, for metrics', () => {
  it('answers 429 when full, and 200 for queued points only once they are committed', async () => {
    const tc = await startTestCollector({ queueCapacity: 10 })
    // Another writer holds SQLite's write lock: the collector cannot commit, so its queue fills.
    const blocker = new DatabaseSync(join(tc.dir, SPAN_DB_FILE))
    blocker.exec('BEGIN IMMEDIATE')
    try {
      let answered = false
      const first = post(tc.collector.url, body('queue.first', [1, 2, 3, 4, 5, 6])).then((r) => {
        answered = true
        return r
      })
      for (let i = 0; i < 100 && tc.collector.queue.depth === 0; i++)
        await new Promise((r) => setTimeout(r, 10))
      expect(tc.collector.queue.depth).toBe(6)
      const refused = await post(tc.collector.url, body('queue.second', [1, 2, 3, 4, 5]))
      expect(refused.status).toBe(429)
      expect(refused.headers.get('retry-after')).toBe('1')
      expect(await refused.json()).toMatchObject({
        code: 8,
        message: expect.stringMatching(/queue full \(6\/10/),
      })
      // The 429 was answered after the first request was queued, and the first is still unanswered: not durable yet.
      expect(answered).toBe(false)
      const text = await (await fetch(`${tc.collector.url}/metrics`)).text()
      expect(metricValue(text, 'goblin_metric_points_dropped_total{reason="queue_full"}')).toBe(5)
      blocker.exec('COMMIT')
      expect((await first).status).toBe(200)
      expect(
        tc.collector.store.metrics.view({ name: 'queue.first', window: ALL_TIME })?.groups[0]?.points,
      ).toBe(6)
      expect(tc.collector.store.metrics.view({ name: 'queue.second', window: ALL_TIME })).toBeNull()
    } finally {
      if (blocker.isTransaction) blocker.exec('ROLLBACK')
      blocker.close()
      await tc.stop()
    }
  })
})
