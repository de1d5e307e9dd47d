import { createHash } from 'node:crypto'
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import { cumulativeChange, deltaChange, type SeriesPoint } from './metric-window.js'
import type { MetricKind, MetricPoint, MetricStream, Temporality } from './otlp-decode-metrics.js'
import type { AttributeValue } from './span-record.js'

/** A closed time range, Unix nanoseconds at both ends. */
export interface MetricWindow {
  startUnixNano: bigint
  endUnixNano: bigint
}

/** `goblin metrics list`: metrics with points in the window, optionally only names matching a glob. */
export interface MetricListQuery {
  window: MetricWindow
  /** SQLite GLOB over the name: `*` any run, `?` one character, `[abc]` a set; case-sensitive. */
  nameGlob?: string
}

/** One metric (a name, type and unit) with points in the window. */
export interface MetricSummary {
  name: string
  kind: MetricKind
  monotonic: boolean
  unit: string
  description: string
  /** The temporalities its series were sent with (a name can arrive both ways from different senders). */
  temporalities: Temporality[]
  series: number
  points: number
  firstTimeUnixNano: string
  lastTimeUnixNano: string
}

/** `goblin metrics show`: one metric's change in a window, grouped by attributes. */
export interface MetricGroupQuery {
  name: string
  window: MetricWindow
  /**
   * Attribute names to group by: each is looked up in the point's attributes, then its resource's (so
   * `goblin.id` and `service.name` work). Without it, each distinct attribute set is its own group.
   */
  by?: string[]
}

/** What one group of series did in the window. Which fields are set depends on `kind`. */
export interface MetricGroup {
  kind: MetricKind
  /** The `by` attributes' values (null where a series has none), or the whole attribute set without `by`. */
  attributes: Record<string, AttributeValue>
  series: number
  /** Points stored inside the window. */
  points: number
  /** Counter resets crossed (cumulative series whose sender restarted). */
  resets: number
  /** Sums: the increase — the sum of a delta series' points; a cumulative series' growth, resets included. */
  increase: number | null
  /** Gauges: the last value in the window (of any series in the group) and its time. */
  value: number | null
  valueTimeUnixNano: string | null
  /** Histograms and summaries: observations in the window and their sum (null when a sender left sums out). */
  count: number | null
  sum: number | null
}

/** A metric's groups in a window; `kinds` has more than one entry only when senders disagree on the type. */
export interface MetricView {
  name: string
  unit: string
  description: string
  kinds: MetricKind[]
  monotonic: boolean
  temporalities: Temporality[]
  groups: MetricGroup[]
}

/** A sum's increase per group: what `metricIncrease` answers (e.g. `claude_code.cost.usage` by model). */
export interface MetricIncrease {
  attributes: Record<string, AttributeValue>
  increase: number
  series: number
  points: number
  resets: number
}

const KIND_CODES: Record<MetricKind, number> = {
  gauge: 1,
  sum: 2,
  histogram: 3,
  exponential_histogram: 4,
  summary: 5,
}
const KINDS = Object.fromEntries(Object.entries(KIND_CODES).map(([k, v]) => [v, k])) as Record<
  number,
  MetricKind
>
const TEMPORALITY_CODES: Record<Temporality, number> = { none: 0, delta: 1, cumulative: 2 }
const TEMPORALITIES: Temporality[] = ['none', 'delta', 'cumulative']

/**
 * A series is one stream of points: its metric (name, type, temporality, unit), resource, scope and point
 * attributes, as OTLP's data model identifies it; `key` is a hash of those. Points are keyed by series, time
 * and start time, so a re-delivered export (a client retrying after a timeout) is stored once.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS metric_series (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  kind INTEGER NOT NULL,
  temporality INTEGER NOT NULL,
  monotonic INTEGER NOT NULL,
  unit TEXT NOT NULL,
  description TEXT NOT NULL,
  service TEXT NOT NULL,
  resource TEXT NOT NULL,
  scope TEXT,
  scope_version TEXT,
  attributes TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS metric_series_by_name ON metric_series(name);
CREATE TABLE IF NOT EXISTS metric_points (
  series_id INTEGER NOT NULL,
  time_ns INTEGER NOT NULL,
  start_ns INTEGER NOT NULL,
  value REAL,
  count INTEGER,
  sum REAL,
  min REAL,
  max REAL,
  buckets TEXT,
  PRIMARY KEY (series_id, time_ns, start_ns)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS metric_points_by_time ON metric_points(time_ns);
`

/** Rows per multi-row INSERT (9 parameters each). */
const ROWS_PER_INSERT = 64

interface SeriesRow {
  id: number
  kind: number
  temporality: number
  monotonic: number
  unit: string
  description: string
  resource: string
  attributes: string
}

interface PointRow {
  start_ns: bigint
  time_ns: bigint
  value: number | null
  count: bigint | null
  sum: number | null
}

/**
 * The metric tables inside the span store's SQLite file, and every query over them. SpanStore opens it
 * (`store.metrics`) and writes points in the same transaction as spans and logs, so the collector's
 * durability holds for metrics too: a point is acknowledged only once committed.
 */
export class MetricStore {
  private readonly db: DatabaseSync
  /** False for a read-only store written before metrics existed: every query then answers empty. */
  private readonly present: boolean
  private readonly seriesIds = new Map<string, number>()
  private readonly streamKeys = new WeakMap<MetricStream, string>()
  private readonly statements = new Map<string, StatementSync>()

  constructor(db: DatabaseSync, readonly: boolean) {
    this.db = db
    if (!readonly) db.exec(SCHEMA)
    this.present =
      !readonly ||
      db.prepare("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'metric_points'").get() !==
        undefined
  }

  private statement(sql: string): StatementSync {
    let stmt = this.statements.get(sql)
    if (!stmt) {
      stmt = this.db.prepare(sql)
      stmt.setReadBigInts(true)
      this.statements.set(sql, stmt)
    }
    return stmt
  }

  /** Writes points; the caller (SpanStore.ingest) holds the write transaction. */
  insert(points: MetricPoint[]): void {
    const params: Array<string | number | bigint | null> = []
    let pending = 0
    const flush = () => {
      this.statement(
        `INSERT INTO metric_points(series_id, time_ns, start_ns, value, count, sum, min, max, buckets) VALUES ${Array.from({ length: pending }, () => '(?,?,?,?,?,?,?,?,?)').join(',')} ON CONFLICT DO NOTHING`,
      ).run(...params)
      params.length = 0
      pending = 0
    }
    for (const point of points) {
      params.push(
        this.seriesId(point),
        BigInt(point.timeUnixNano),
        BigInt(point.startTimeUnixNano),
        point.value,
        point.count,
        point.sum,
        point.min,
        point.max,
        point.buckets ? JSON.stringify(point.buckets) : null,
      )
      if (++pending === ROWS_PER_INSERT) flush()
    }
    if (pending > 0) flush()
  }

  /** Called when the transaction that inserted was rolled back: series ids handed out in it no longer exist. */
  forgetUncommitted(): void {
    this.seriesIds.clear()
  }

  private seriesId(point: MetricPoint): number {
    const stream = point.stream
    let streamKey = this.streamKeys.get(stream)
    if (streamKey === undefined) {
      streamKey = JSON.stringify([
        stream.name,
        stream.kind,
        stream.temporality,
        stream.monotonic,
        stream.unit,
        stream.resource,
        stream.scopeName ?? null,
        stream.scopeVersion ?? null,
      ])
      this.streamKeys.set(stream, streamKey)
    }
    const attributes = JSON.stringify(point.attributes)
    const identity = `${streamKey}\n${attributes}`
    const known = this.seriesIds.get(identity)
    if (known !== undefined) return known
    const key = createHash('sha256').update(identity).digest('hex').slice(0, 32)
    const row = this.statement(
      `INSERT INTO metric_series(key, name, kind, temporality, monotonic, unit, description, service, resource, scope, scope_version, attributes)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
       ON CONFLICT(key) DO UPDATE SET description = excluded.description RETURNING id`,
    ).get(
      key,
      stream.name,
      KIND_CODES[stream.kind],
      TEMPORALITY_CODES[stream.temporality],
      stream.monotonic ? 1 : 0,
      stream.unit,
      stream.description,
      stream.serviceName,
      JSON.stringify(stream.resource),
      stream.scopeName ?? null,
      stream.scopeVersion ?? null,
      attributes,
    ) as { id: bigint }
    const id = Number(row.id)
    this.seriesIds.set(identity, id)
    return id
  }

  /** Deletes points older than the cutoff and the series left without points; inside SpanStore's transaction. */
  pruneBefore(cutoffUnixNano: bigint): void {
    if (!this.present) return
    this.statement('DELETE FROM metric_points WHERE time_ns < ?').run(cutoffUnixNano)
    this.statement(
      'DELETE FROM metric_series WHERE NOT EXISTS (SELECT 1 FROM metric_points p WHERE p.series_id = metric_series.id)',
    ).run()
    this.seriesIds.clear()
  }

  /** The time below which `share` (0..1) of the stored points lie: where size-based retention cuts. */
  timeAtShare(share: number): bigint | undefined {
    const { points } = this.stats()
    if (points === 0) return undefined
    const offset = Math.max(0, Math.min(points - 1, Math.floor(points * share)))
    const row = this.statement('SELECT time_ns FROM metric_points ORDER BY time_ns LIMIT 1 OFFSET ?').get(
      offset,
    ) as { time_ns: bigint } | undefined
    return row?.time_ns
  }

  /** Stored series and points. */
  stats(): { series: number; points: number } {
    if (!this.present) return { series: 0, points: 0 }
    const count = (table: string) =>
      Number((this.statement(`SELECT count(*) AS n FROM ${table}`).get() as { n: bigint }).n)
    return { series: count('metric_series'), points: count('metric_points') }
  }

  /** Metrics with points in the window, by name. */
  list(query: MetricListQuery): MetricSummary[] {
    if (!this.present) return []
    // Points are counted per series first (the primary key's order, no sort), then the few series grouped.
    const glob = query.nameGlob ? 'AND series_id IN (SELECT id FROM metric_series WHERE name GLOB ?)' : ''
    const rows = this.statement(
      `WITH per_series AS (
         SELECT series_id, count(*) AS points, min(time_ns) AS first_ns, max(time_ns) AS last_ns
         FROM metric_points WHERE time_ns >= ? AND time_ns <= ? ${glob} GROUP BY series_id)
       SELECT s.name, s.kind, s.monotonic, s.unit, max(s.description) AS description,
         group_concat(DISTINCT s.temporality) AS temporalities, count(*) AS series,
         sum(p.points) AS points, min(p.first_ns) AS first_ns, max(p.last_ns) AS last_ns
       FROM per_series p JOIN metric_series s ON s.id = p.series_id
       GROUP BY s.name, s.kind, s.monotonic, s.unit ORDER BY s.name, s.kind`,
    ).all(
      query.window.startUnixNano,
      query.window.endUnixNano,
      ...(query.nameGlob ? [query.nameGlob] : []),
    ) as Array<Record<string, string | bigint>>
    return rows.map((row) => ({
      name: String(row.name),
      kind: KINDS[Number(row.kind)] as MetricKind,
      monotonic: Number(row.monotonic) === 1,
      unit: String(row.unit),
      description: String(row.description),
      temporalities: temporalitiesOf(String(row.temporalities).split(',').map(Number)),
      series: Number(row.series),
      points: Number(row.points),
      firstTimeUnixNano: String(row.first_ns),
      lastTimeUnixNano: String(row.last_ns),
    }))
  }

  /** True when any series of this name is stored (in any window). */
  has(name: string): boolean {
    if (!this.present) return false
    return this.statement('SELECT 1 AS x FROM metric_series WHERE name = ? LIMIT 1').get(name) !== undefined
  }

  /**
   * A metric's change in the window per group: sums their increase (delta: the points' sum; cumulative:
   * consecutive differences, resets counted from zero — see metric-window.ts), gauges their last value,
   * histograms and summaries the observations' count and sum. Null when no series has this name.
   */
  view(query: MetricGroupQuery): MetricView | null {
    if (!this.present) return null
    const series = this.statement(
      'SELECT id, kind, temporality, monotonic, unit, description, resource, attributes FROM metric_series WHERE name = ? ORDER BY id',
    ).all(query.name) as unknown as SeriesRow[]
    if (series.length === 0) return null
    const groups = new Map<string, MetricGroup>()
    const kinds = new Set<MetricKind>()
    const temporalities = new Set<number>()
    for (const row of series) {
      const kind = KINDS[Number(row.kind)] as MetricKind
      kinds.add(kind)
      temporalities.add(Number(row.temporality))
      const attributes = JSON.parse(row.attributes) as Record<string, AttributeValue>
      const group = groupOf(groups, kind, groupAttributes(attributes, row.resource, query.by))
      this.addSeries(group, row, query.window)
    }
    const sums = series.filter((s) => KINDS[Number(s.kind)] === 'sum')
    return {
      name: query.name,
      unit: String(series.at(-1)?.unit ?? ''),
      description: String(series.at(-1)?.description ?? ''),
      kinds: [...kinds],
      monotonic: sums.length > 0 && sums.every((s) => Number(s.monotonic) === 1),
      temporalities: temporalitiesOf([...temporalities]),
      groups: [...groups.values()].sort(byMagnitude),
    }
  }

  /**
   * The increase of a sum in the window per group, e.g. `claude_code.cost.usage` by `model`, `session.id`
   * and the resource's `goblin.id`: what cost from metrics reads. Series of other types under the name are
   * left out; an unknown name answers [].
   */
  metricIncrease(name: string, window: MetricWindow, by: string[]): MetricIncrease[] {
    const view = this.view({ name, window, by })
    return (view?.groups ?? [])
      .filter((g) => g.kind === 'sum')
      .map((g) => ({
        attributes: g.attributes,
        increase: g.increase ?? 0,
        series: g.series,
        points: g.points,
        resets: g.resets,
      }))
  }

  private addSeries(group: MetricGroup, row: SeriesRow, window: MetricWindow): void {
    const kind = KINDS[Number(row.kind)] as MetricKind
    const inWindow = this.statement(
      'SELECT start_ns, time_ns, value, count, sum FROM metric_points WHERE series_id = ? AND time_ns >= ? AND time_ns <= ? ORDER BY time_ns',
    ).all(row.id, window.startUnixNano, window.endUnixNano) as unknown as PointRow[]
    group.series++
    group.points += inWindow.length
    if (kind === 'gauge') {
      const last = inWindow.findLast((p) => p.value !== null)
      if (last && (group.valueTimeUnixNano === null || last.time_ns > BigInt(group.valueTimeUnixNano))) {
        group.value = last.value
        group.valueTimeUnixNano = String(last.time_ns)
      }
      return
    }
    const histogram = kind !== 'sum'
    const toSeries = (p: PointRow): SeriesPoint => ({
      startNs: p.start_ns,
      timeNs: p.time_ns,
      values: histogram ? [Number(p.count ?? 0n), p.sum ?? 0] : [p.value ?? 0],
    })
    const points = (histogram ? inWindow : inWindow.filter((p) => p.value !== null)).map(toSeries)
    const width = histogram ? 2 : 1
    let change: ReturnType<typeof deltaChange>
    if (Number(row.temporality) === TEMPORALITY_CODES.delta) change = deltaChange(points, width)
    else {
      const before = this.statement(
        `SELECT start_ns, time_ns, value, count, sum FROM metric_points WHERE series_id = ? AND time_ns < ? ${histogram ? '' : 'AND value IS NOT NULL'} ORDER BY time_ns DESC LIMIT 1`,
      ).get(row.id, window.startUnixNano) as PointRow | undefined
      // Histogram counts only grow within a run; a sum's value only when the sender said it is monotonic.
      const monotonic = histogram || Number(row.monotonic) === 1
      change = cumulativeChange(before && toSeries(before), points, window.startUnixNano, monotonic)
    }
    group.resets += change.resets
    if (!histogram) {
      group.increase = (group.increase ?? 0) + (change.values[0] ?? 0)
      return
    }
    group.count = (group.count ?? 0) + (change.values[0] ?? 0)
    // Once one series of the group left its sums out, the group's sum is unknown (null), not a partial one.
    if (group.sum !== null)
      group.sum = inWindow.every((p) => p.sum !== null) ? group.sum + (change.values[1] ?? 0) : null
  }
}

function temporalitiesOf(codes: number[]): Temporality[] {
  return [...new Set(codes)].sort().map((c) => TEMPORALITIES[c] ?? 'none')
}

/** The attributes a series is grouped under: the `by` names (point attribute, else resource), or all of them. */
function groupAttributes(
  attributes: Record<string, AttributeValue>,
  resourceJson: string,
  by: string[] | undefined,
): Record<string, AttributeValue> {
  if (!by || by.length === 0) return attributes
  let resource: Record<string, AttributeValue> | undefined
  const out: Record<string, AttributeValue> = Object.create(null)
  for (const name of by) {
    if (Object.hasOwn(attributes, name)) out[name] = attributes[name] ?? null
    else {
      resource ??= JSON.parse(resourceJson) as Record<string, AttributeValue>
      out[name] = Object.hasOwn(resource, name) ? (resource[name] ?? null) : null
    }
  }
  return out
}

function groupOf(
  groups: Map<string, MetricGroup>,
  kind: MetricKind,
  attributes: Record<string, AttributeValue>,
): MetricGroup {
  const key = `${kind}\n${JSON.stringify(attributes)}`
  let group = groups.get(key)
  if (!group) {
    const histogram = kind !== 'sum' && kind !== 'gauge'
    group = {
      kind,
      attributes,
      series: 0,
      points: 0,
      resets: 0,
      increase: kind === 'sum' ? 0 : null,
      value: null,
      valueTimeUnixNano: null,
      count: histogram ? 0 : null,
      sum: histogram ? 0 : null,
    }
    groups.set(key, group)
  }
  return group
}

/** Largest first: the increase, the value, or the count, whichever the kind has. */
function byMagnitude(a: MetricGroup, b: MetricGroup): number {
  const size = (g: MetricGroup) => g.increase ?? g.value ?? g.count ?? 0
  return size(b) - size(a)
}
