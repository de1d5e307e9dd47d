import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as JsonExporter,
} from '@opentelemetry/exporter-metrics-otlp-http'
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto'
import { resourceFromAttributes } from '@opentelemetry/resources'
import {
  AggregationType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ALL_TIME } from '../../../src/collector/metric-params.js'
import { metricValue, startTestCollector, type TestCollector } from './collector-fixture.js'

type Preference = AggregationTemporalityPreference.DELTA | AggregationTemporalityPreference.CUMULATIVE
type MakeExporter = (url: string, temporality: Preference) => PushMetricExporter

const encodings: Array<[string, MakeExporter]> = [
  ['protobuf', (url, t) => new ProtoExporter({ url, temporalityPreference: t })],
  [
    'protobuf + gzip',
    (url, t) => new ProtoExporter({ url, temporalityPreference: t, compression: 'gzip' as never }),
  ],
  ['JSON', (url, t) => new JsonExporter({ url, temporalityPreference: t })],
  [
    'JSON + gzip',
    (url, t) => new JsonExporter({ url, temporalityPreference: t, compression: 'gzip' as never }),
  ],
]
const temporalities: Array<[string, Preference]> = [
  ['delta', AggregationTemporalityPreference.DELTA],
  ['cumulative', AggregationTemporalityPreference.CUMULATIVE],
]

/**
 * Real payloads: the OpenTelemetry JS metrics SDK (@opentelemetry/sdk-metrics) and its OTLP/HTTP exporters,
 * protobuf and JSON, plain and gzip, delta and cumulative, export to the collector on 127.0.0.1; the store's
 * typed queries then answer what was recorded, whichever way it was sent.
 */
describe('real OpenTelemetry metrics SDK exports to the collector', () => {
  let tc: TestCollector
  beforeAll(async () => {
    tc = await startTestCollector()
  })
  afterAll(() => tc.stop())

  /** A meter provider whose reader exports only when flushed, so each flush is one export request. */
  function provider(exporter: PushMetricExporter, service: string) {
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })
    const meterProvider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': service, 'goblin.id': 'researcher' }),
      readers: [reader],
      views: [
        { instrumentName: 'agent.step.size', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } },
      ],
    })
    return { meter: meterProvider.getMeter('agent-lib', '1.2.3'), reader, meterProvider }
  }

  for (const [encoding, makeExporter] of encodings) {
    for (const [temporalityName, temporality] of temporalities) {
      it(`stores every metric type exported as ${encoding}, ${temporalityName}, and answers what was recorded`, async () => {
        const service = `svc-${encoding.replace(/\W+/g, '-')}-${temporalityName}`
        const { meter, reader, meterProvider } = provider(
          makeExporter(`${tc.collector.url}/v1/metrics`, temporality),
          service,
        )
        const cost = meter.createCounter('agent.cost', { unit: 'USD', description: 'Spend' })
        const inflight = meter.createUpDownCounter('agent.inflight')
        const latency = meter.createHistogram('agent.request.duration', { unit: 'ms' })
        const steps = meter.createHistogram('agent.step.size')
        const depth = meter.createGauge('agent.queue.depth')

        cost.add(0.5, { model: 'gpt-4o' })
        cost.add(0.25, { model: 'claude-sonnet-4-5' })
        inflight.add(5)
        latency.record(100)
        latency.record(300)
        steps.record(2)
        depth.record(7)
        await reader.forceFlush()
        cost.add(1, { model: 'gpt-4o' })
        inflight.add(-2)
        latency.record(200)
        steps.record(4)
        depth.record(3)
        await reader.forceFlush()
        await meterProvider.shutdown()

        const metrics = tc.collector.store.metrics
        const mine = <T extends { attributes: Record<string, unknown> }>(rows: T[]) =>
          rows.filter((r) => r.attributes['service.name'] === service)
        const costs = mine(metrics.metricIncrease('agent.cost', ALL_TIME, ['service.name', 'model']))
        expect(costs.map((r) => [r.attributes.model, r.increase])).toEqual([
          ['gpt-4o', 1.5],
          ['claude-sonnet-4-5', 0.25],
        ])
        expect(mine(metrics.metricIncrease('agent.inflight', ALL_TIME, ['service.name']))[0]?.increase).toBe(
          3,
        )
        const view = (name: string) => {
          const v = metrics.view({ name, window: ALL_TIME, by: ['service.name'] })
          return { ...v, groups: mine(v?.groups ?? []) }
        }
        expect(view('agent.request.duration').groups).toEqual([
          expect.objectContaining({ kind: 'histogram', count: 3, sum: 600 }),
        ])
        expect(view('agent.step.size').groups).toEqual([
          expect.objectContaining({ kind: 'exponential_histogram', count: 2, sum: 6 }),
        ])
        expect(view('agent.queue.depth').groups).toEqual([
          expect.objectContaining({ kind: 'gauge', value: 3 }),
        ])
        expect(view('agent.cost')).toMatchObject({ unit: 'USD', description: 'Spend', monotonic: true })
        expect(view('agent.inflight')).toMatchObject({ monotonic: false })

        // Resource and scope are stored with each series.
        const series = tc.collector.store.db
          .prepare(
            "SELECT DISTINCT scope, scope_version, resource FROM metric_series WHERE service = ? AND name = 'agent.cost'",
          )
          .all(service) as Array<{ scope: string; scope_version: string; resource: string }>
        expect(series).toHaveLength(1)
        expect(series[0]).toMatchObject({ scope: 'agent-lib', scope_version: '1.2.3' })
        expect(JSON.parse(series[0]?.resource ?? '{}')).toMatchObject({
          'service.name': service,
          'goblin.id': 'researcher',
        })
      })
    }
  }

  it('lists each metric with its type and the temporalities it arrived with', () => {
    const listed = Object.fromEntries(
      tc.collector.store.metrics.list({ window: ALL_TIME, nameGlob: 'agent.*' }).map((m) => [m.name, m]),
    )
    expect(listed['agent.cost']).toMatchObject({
      kind: 'sum',
      monotonic: true,
      temporalities: ['delta', 'cumulative'],
    })
    // The SDK's delta preference keeps up-down counters cumulative.
    expect(listed['agent.inflight']).toMatchObject({
      kind: 'sum',
      monotonic: false,
      temporalities: ['cumulative'],
    })
    expect(listed['agent.request.duration']).toMatchObject({ kind: 'histogram', unit: 'ms' })
    expect(listed['agent.step.size']).toMatchObject({ kind: 'exponential_histogram' })
    expect(listed['agent.queue.depth']).toMatchObject({ kind: 'gauge', temporalities: ['none'] })
  })

  it('counts a restarted cumulative counter from zero: 10, restart, 3 is an increase of 13', async () => {
    const service = 'svc-restart'
    const url = `${tc.collector.url}/v1/metrics`
    const first = provider(makeCumulative(url), service)
    first.meter.createCounter('agent.restarts.requests').add(10, { route: '/a' })
    // Shutting down exports once more, the process's last word: one point per run.
    await first.meterProvider.shutdown()
    const metrics = tc.collector.store.metrics
    const beforeRestart = BigInt(
      metrics.list({ window: ALL_TIME, nameGlob: 'agent.restarts.*' })[0]?.lastTimeUnixNano ?? 0,
    )

    // The same service starts again: same resource and attributes, so the same series, with a new start time.
    const second = provider(makeCumulative(url), service)
    second.meter.createCounter('agent.restarts.requests').add(3, { route: '/a' })
    await second.meterProvider.shutdown()

    expect(metrics.metricIncrease('agent.restarts.requests', ALL_TIME, ['route'])).toEqual([
      { attributes: { route: '/a' }, increase: 13, series: 1, points: 2, resets: 1 },
    ])
    // A window starting after the first run's point: that point is the baseline, the restart counts from zero.
    const afterRestart = { startUnixNano: beforeRestart + 1n, endUnixNano: ALL_TIME.endUnixNano }
    expect(metrics.metricIncrease('agent.restarts.requests', afterRestart, ['route'])).toEqual([
      { attributes: { route: '/a' }, increase: 3, series: 1, points: 1, resets: 1 },
    ])
  })

  it('counts the points it stored in /metrics', async () => {
    const text = await (await fetch(`${tc.collector.url}/metrics`)).text()
    expect(metricValue(text, 'goblin_metric_points_received_total')).toBeGreaterThanOrEqual(8 * 10)
    expect(metricValue(text, 'goblin_metric_points_received_total')).toBe(
      tc.collector.store.metrics.stats().points,
    )
    expect(metricValue(text, 'goblin_metric_points_dropped_total{reason="invalid"}')).toBe(0)
  })
})

function makeCumulative(url: string): PushMetricExporter {
  return new ProtoExporter({ url, temporalityPreference: AggregationTemporalityPreference.CUMULATIVE })
}
