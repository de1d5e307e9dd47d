import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { MetricWindow } from '../../../src/collector/metric-store.js'
import type {
  MetricKind,
  MetricPoint,
  MetricStream,
  Temporality,
} from '../../../src/collector/otlp-decode-metrics.js'
import { openSpanStore, SPAN_DB_FILE, type SpanStore } from '../../../src/collector/span-store.js'
import { tempDir } from '../../helpers/cli.js'

const BASE = 1_700_000_000n * 1_000_000_000n
/** Unix nanoseconds of second `s` after BASE, as the decoder writes times. */
const ns = (s: number) => String(BASE + BigInt(s) * 1_000_000_000n)
const window = (from: number, to: number): MetricWindow => ({
  startUnixNano: BigInt(ns(from)),
  endUnixNano: BigInt(ns(to)),
})
const ALL = window(-1_000_000, 1_000_000)

function stream(
  name: string,
  kind: MetricKind,
  temporality: Temporality,
  resource: Record<string, string> = { 'service.name': 'svc' },
  monotonic = kind === 'sum',
): MetricStream {
  return {
    name,
    description: `${name} help`,
    unit: '1',
    kind,
    temporality,
    monotonic,
    resource,
    serviceName: resource['service.name'] ?? 'unknown',
  }
}

function point(
  s: MetricStream,
  start: number,
  time: number,
  value: number,
  attributes: Record<string, string> = {},
  histogram?: { count: number; sum: number | null },
): MetricPoint {
  return {
    stream: s,
    attributes,
    startTimeUnixNano: ns(start),
    timeUnixNano: ns(time),
    value: histogram ? null : value,
    count: histogram?.count ?? null,
    sum: histogram ? histogram.sum : null,
    min: null,
    max: null,
    buckets: null,
  }
}

describe('metric store', () => {
  let dir: ReturnType<typeof tempDir>
  let store: SpanStore
  beforeEach(async () => {
    dir = tempDir()
    store = await openSpanStore({ dir: dir.path })
  })
  afterEach(() => {
    store.close()
    dir.cleanup()
  })

  it('sums a delta counter in the window, per attribute set', () => {
    const s = stream('requests', 'sum', 'delta')
    store.ingest(
      [],
      [],
      [
        point(s, 0, 10, 3, { route: '/a' }),
        point(s, 10, 20, 4, { route: '/a' }),
        point(s, 20, 30, 5, { route: '/a' }),
        point(s, 0, 10, 7, { route: '/b' }),
      ],
    )
    expect(store.metrics.metricIncrease('requests', ALL, ['route'])).toEqual([
      { attributes: { route: '/a' }, increase: 12, series: 1, points: 3, resets: 0 },
      { attributes: { route: '/b' }, increase: 7, series: 1, points: 1, resets: 0 },
    ])
    // Only the points whose time falls in [15, 30].
    expect(store.metrics.metricIncrease('requests', window(15, 30), ['route'])).toEqual([
      { attributes: { route: '/a' }, increase: 9, series: 1, points: 2, resets: 0 },
      { attributes: { route: '/b' }, increase: 0, series: 1, points: 0, resets: 0 },
    ])
  })

  it('differences a cumulative counter from the point before the window, across a restart', () => {
    const s = stream('requests', 'sum', 'cumulative')
    store.ingest(
      [],
      [],
      [
        point(s, 0, 10, 5),
        point(s, 0, 20, 9),
        point(s, 0, 30, 12),
        // The sender restarted at 35: a new start time, counting from zero again.
        point(s, 35, 40, 2),
        point(s, 35, 50, 6),
      ],
    )
    expect(store.metrics.metricIncrease('requests', ALL, [])).toEqual([
      { attributes: {}, increase: 12 + 6, series: 1, points: 5, resets: 1 },
    ])
    // From the 10s point (5): 9, 12, then the restart's 2 and 6: 7 + 6.
    expect(store.metrics.metricIncrease('requests', window(15, 60), [])[0]).toMatchObject({
      increase: 13,
      resets: 1,
    })
    // After the restart only: the run began inside the window, so its first value counts.
    expect(store.metrics.metricIncrease('requests', window(33, 60), [])[0]).toMatchObject({
      increase: 6,
      resets: 1,
    })
  })

  it('groups by a resource attribute when the point has none, and merges series into one group', () => {
    const a = stream('cost', 'sum', 'delta', { 'service.name': 'claude-code', 'goblin.id': 'g1' })
    const b = stream('cost', 'sum', 'cumulative', { 'service.name': 'claude-code', 'goblin.id': 'g1' })
    const c = stream('cost', 'sum', 'delta', { 'service.name': 'claude-code', 'goblin.id': 'g2' })
    store.ingest(
      [],
      [],
      [
        point(a, 0, 10, 0.5, { model: 'opus' }),
        point(b, 0, 10, 0.25, { model: 'opus', 'session.id': 's2' }),
        point(b, 0, 20, 1.25, { model: 'opus', 'session.id': 's2' }),
        point(c, 0, 10, 0.125, { model: 'haiku' }),
      ],
    )
    const byGoblin = store.metrics.metricIncrease('cost', ALL, ['goblin.id', 'model'])
    expect(byGoblin).toEqual([
      { attributes: { 'goblin.id': 'g1', model: 'opus' }, increase: 1.75, series: 2, points: 3, resets: 0 },
      { attributes: { 'goblin.id': 'g2', model: 'haiku' }, increase: 0.125, series: 1, points: 1, resets: 0 },
    ])
    const bySession = store.metrics.metricIncrease('cost', ALL, ['session.id'])
    expect(bySession.map((g) => [g.attributes['session.id'], g.increase])).toEqual([
      ['s2', 1.25],
      [null, 0.625],
    ])
  })

  it('shows a gauge as its last value in the window, and histograms as count and sum', () => {
    const g = stream('queue.depth', 'gauge', 'none')
    store.ingest([], [], [point(g, 0, 10, 4), point(g, 0, 20, 9), point(g, 0, 30, 2)])
    expect(store.metrics.view({ name: 'queue.depth', window: window(0, 25) })?.groups).toEqual([
      {
        kind: 'gauge',
        attributes: {},
        series: 1,
        points: 2,
        resets: 0,
        increase: null,
        value: 9,
        valueTimeUnixNano: ns(20),
        count: null,
        sum: null,
      },
    ])
    const h = stream('latency', 'histogram', 'cumulative')
    const d = stream('latency', 'histogram', 'delta', { 'service.name': 'other' })
    store.ingest(
      [],
      [],
      [
        point(h, 0, 10, 0, {}, { count: 2, sum: 30 }),
        point(h, 0, 20, 0, {}, { count: 5, sum: 80 }),
        point(d, 0, 20, 0, {}, { count: 1, sum: 7 }),
      ],
    )
    expect(store.metrics.view({ name: 'latency', window: window(15, 25) })?.groups[0]).toMatchObject({
      kind: 'histogram',
      count: 3 + 1,
      sum: 50 + 7,
      series: 2,
    })
    // A sender that left its sums out makes the group's sum unknown, never a partial total.
    store.ingest([], [], [point(d, 20, 22, 0, {}, { count: 1, sum: null })])
    expect(store.metrics.view({ name: 'latency', window: window(15, 25) })?.groups[0]).toMatchObject({
      count: 5,
      sum: null,
    })
  })

  it('stores a re-delivered point once', () => {
    const s = stream('requests', 'sum', 'delta')
    const batch = [point(s, 0, 10, 3), point(s, 10, 20, 4)]
    store.ingest([], [], batch)
    store.ingest(
      [],
      [],
      batch.map((p) => ({ ...p })),
    )
    expect(store.metrics.metricIncrease('requests', ALL, [])[0]?.increase).toBe(7)
    expect(store.metrics.stats()).toEqual({ series: 1, points: 2 })
  })

  it('lists metrics with points in the window, by glob', () => {
    store.ingest(
      [],
      [],
      [
        point(stream('claude_code.cost.usage', 'sum', 'delta'), 0, 10, 1),
        point(stream('claude_code.token.usage', 'sum', 'cumulative'), 0, 20, 1, { type: 'input' }),
        point(stream('claude_code.token.usage', 'sum', 'cumulative'), 0, 20, 1, { type: 'output' }),
        point(
          stream('gemini_cli.api.request.latency', 'histogram', 'cumulative'),
          0,
          30,
          0,
          {},
          { count: 1, sum: 1 },
        ),
      ],
    )
    expect(store.metrics.list({ window: ALL, nameGlob: 'claude_code.*' })).toEqual([
      {
        name: 'claude_code.cost.usage',
        kind: 'sum',
        monotonic: true,
        unit: '1',
        description: 'claude_code.cost.usage help',
        temporalities: ['delta'],
        series: 1,
        points: 1,
        firstTimeUnixNano: ns(10),
        lastTimeUnixNano: ns(10),
      },
      expect.objectContaining({
        name: 'claude_code.token.usage',
        temporalities: ['cumulative'],
        series: 2,
        points: 2,
      }),
    ])
    expect(store.metrics.list({ window: window(25, 35) }).map((m) => m.name)).toEqual([
      'gemini_cli.api.request.latency',
    ])
  })

  it('answers null for an unknown name and [] for its increase', () => {
    expect(store.metrics.view({ name: 'nope', window: ALL })).toBeNull()
    expect(store.metrics.metricIncrease('nope', ALL, ['model'])).toEqual([])
  })

  it('retention deletes old points and the series they leave empty; new points still land', () => {
    const old = stream('old', 'sum', 'delta')
    const kept = stream('kept', 'sum', 'delta')
    store.ingest([], [], [point(old, 0, 10, 1), point(kept, 0, 10, 1), point(kept, 0, 100, 2)])
    store.pruneBefore(BigInt(ns(50)))
    expect(store.metrics.stats()).toEqual({ series: 1, points: 1 })
    expect(store.metrics.view({ name: 'old', window: ALL })).toBeNull()
    // The pruned series' cached id is gone too: the same series comes back as a new row.
    store.ingest([], [], [point(old, 0, 200, 5)])
    expect(store.metrics.metricIncrease('old', ALL, [])[0]?.increase).toBe(5)
  })

  it('size-based retention cuts a store of metrics alone at its oldest points', () => {
    const s = stream('requests', 'sum', 'delta')
    for (let batch = 0; batch < 20; batch++)
      store.ingest(
        [],
        [],
        Array.from({ length: 500 }, (_, i) => point(s, 0, batch * 500 + i, 1, { route: `/r${i % 50}` })),
      )
    const before = store.stats().bytes
    // Half the live size, and no age limit that could explain the deletions.
    store.applyRetention({ maxAgeHours: 1e6, maxMegabytes: before / 2 / 1024 / 1024 }, BigInt(ns(20_000)))
    expect(store.stats().bytes).toBeLessThanOrEqual(before / 2)
    const left = store.metrics.list({ window: ALL })[0]
    expect(left?.points).toBeLessThan(10_000)
    expect(left?.points).toBeGreaterThan(0)
    // The newest points stay; the oldest went.
    expect(left?.lastTimeUnixNano).toBe(ns(9_999))
    expect(BigInt(left?.firstTimeUnixNano ?? 0)).toBeGreaterThan(BigInt(ns(0)))
  })

  it('writes points in the ingest transaction: a failed ingest stores none of them, and the next one works', () => {
    const s = stream('requests', 'sum', 'delta')
    const blocker = new DatabaseSync(join(dir.path, SPAN_DB_FILE))
    blocker.exec('BEGIN IMMEDIATE')
    expect(() => store.ingest([], [], [point(s, 0, 10, 3)])).toThrowError(/locked/)
    blocker.exec('ROLLBACK')
    blocker.close()
    expect(store.metrics.stats().points).toBe(0)
    store.ingest([], [], [point(s, 0, 10, 3)])
    expect(store.metrics.metricIncrease('requests', ALL, [])[0]?.increase).toBe(3)
  })

  it('a read-only store written before metrics existed answers empty', async () => {
    const legacy = tempDir()
    try {
      const writer = await openSpanStore({ dir: legacy.path })
      writer.db.exec('DROP TABLE metric_points; DROP TABLE metric_series')
      writer.close()
      const reader = await openSpanStore({ dir: legacy.path, readonly: true })
      expect(reader.metrics.list({ window: ALL })).toEqual([])
      expect(reader.metrics.view({ name: 'x', window: ALL })).toBeNull()
      reader.close()
    } finally {
      legacy.cleanup()
    }
  })
})
