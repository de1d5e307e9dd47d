import { chmodSync, existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import { GoblinError } from '../core/errors.js'
import type { PricedCall } from '../llm/llm-call.js'
import { tableExists } from './llm-calls.js'
import { MetricStore } from './metric-store.js'
import type { LogRecordRow } from './otlp-decode.js'
import type { MetricPoint } from './otlp-decode-metrics.js'
import type { AttributeValue, SpanRecord } from './span-record.js'
import { traceKey } from './trace-key.js'
import {
  type GroupKey,
  queryUsageGroups,
  type UsageFilter,
  type UsageGroup,
  type UsageQueryOptions,
} from './usage-groups.js'

/**
 * A derived table kept in step with the spans (e.g. the cost helper's `llm_calls`). `setup` runs when the
 * store opens, `index` inside the same write transaction as each ingested batch, `prune` with retention.
 */
export interface IngestIndex {
  name: string
  setup(db: DatabaseSync): void
  index(db: DatabaseSync, spans: SpanRecord[], logs?: LogRecordRow[]): void
  prune(db: DatabaseSync, cutoffUnixNano: bigint): void
  /** Optionally, the USD cost of each listed trace (e.g. priced LLM usage), which search results then show. */
  traceCosts?(db: DatabaseSync, traceIds: string[]): Map<string, TraceCost>
  /** Optionally, one trace's LLM calls as the index holds them (what `traceCosts` prices for it). */
  traceCalls?(db: DatabaseSync, traceId: string): IndexedCall[]
}

/**
 * An LLM call as the cost index holds it: read from its span, with what a matched log event of the same
 * call added (a coding agent's counts and own cost), placed in its trace.
 */
export interface IndexedCall extends PricedCall {
  /** The span's id (lowercase hex); for a call only a log event reported, the id the index gave it. */
  spanId: string
  /** False for a call only a log event reported: no span of the trace carries it. */
  onSpan: boolean
  /** It repeats the usage of calls below it: left out of every sum. */
  aggregate: boolean
}

/** What a trace's LLM calls cost: USD of the priced ones, and how many could not be priced. */
export interface TraceCost {
  usd: number
  calls: number
  /** Unmetered calls and calls of models the price table does not know: not in `usd`, never $0. */
  unpricedCalls: number
}

export interface SpanStoreOptions {
  /** The directory holding `spans.db` (normally `homePaths.spans()`). */
  dir: string
  /** Open read-only (CLI readers beside a running collector); the file must exist. */
  readonly?: boolean
  indexes?: IngestIndex[]
  /** Milliseconds a reader waits on a lock. Writers never wait: the ingest queue retries instead. */
  busyTimeoutMs?: number
  /**
   * SQLite's `synchronous` in WAL mode: FULL fsyncs the WAL at every commit, so a commit survives an OS
   * crash or power loss; NORMAL (the default here, for stores nobody is promised anything about) survives a
   * process crash, and an OS crash or power loss can lose the last commits before a checkpoint. The
   * collector passes FULL unless `collector.durability` is `process-crash`.
   */
  synchronous?: 'NORMAL' | 'FULL'
}

/** One row of a trace search: the shape of Tempo's search results plus goblin's own columns. */
export interface TraceSummary {
  traceID: string
  rootServiceName: string
  rootTraceName: string
  /** False while the root span has not arrived: the names are then those of the earliest span seen. */
  rootSpanReceived: boolean
  startTimeUnixNano: string
  durationMs: number
  spanCount: number
  errorCount: number
  /** USD: the trace's priced LLM usage when a cost index serves it, else the sum of its spans' `llm.cost`. */
  costUsd: number
  /** LLM calls counted (aggregates left out) and those among them not priced; 0 without a cost index. */
  llmCalls: number
  unpricedCalls: number
  goblinId: string | null
}

/** A trace search. Tags match `service.name`, `goblin.id`, `name` (any span), `status` (error|ok), or any span or resource attribute. */
export interface TraceQuery {
  tags?: Record<string, string>
  minDurationMs?: number
  maxDurationMs?: number
  /** Traces that started at or after / before these times (Unix nanoseconds). */
  startUnixNano?: bigint
  endUnixNano?: bigint
  limit?: number
}

/** A span as stored, with its arrival sequence number (the cursor of `spansAfter`). */
export interface StoredSpan extends SpanRecord {
  seq: number
}

export interface RetentionPolicy {
  maxAgeHours: number
  maxMegabytes: number
}

export interface StoreStats {
  spans: number
  traces: number
  logs: number
  bytes: number
}

export const SPAN_DB_FILE = 'spans.db'

/** Rows per multi-row INSERT (16 parameters each, far below SQLite's limit). */
const ROWS_PER_INSERT = 32

/** The store's schema version (PRAGMA user_version). */
const SCHEMA_VERSION = 5

/** Opens (creating when writable) the SQLite span store in `dir`, WAL mode, with the given ingest indexes. */
export async function openSpanStore(options: SpanStoreOptions): Promise<SpanStore> {
  const { DatabaseSync } = await import('node:sqlite')
  const path = join(options.dir, SPAN_DB_FILE)
  if (options.readonly && !existsSync(path)) {
    throw new GoblinError('SPAN_STORE_MISSING', `no span store at ${path}`, {
      hint: 'Start the embedded collector (goblin stack up, or goblin collector serve) and send it spans.',
    })
  }
  // Private state (see core/private-state.ts): the directory 0700, the file 0600 (SQLite gives -wal, -shm its mode).
  if (!options.readonly) mkdirSync(options.dir, { recursive: true, mode: 0o700 })
  let db: DatabaseSync
  try {
    db = new DatabaseSync(path, {
      readOnly: Boolean(options.readonly),
      timeout: options.busyTimeoutMs ?? (options.readonly ? 5_000 : 0),
    })
    if (!options.readonly) chmodSync(path, 0o600)
  } catch (error) {
    throw new GoblinError(
      'SPAN_STORE_OPEN',
      `cannot open the span store ${path}: ${(error as Error).message}`,
      {
        hint: 'Check that GOBLIN_HOME is writable and that the file is a goblin span store.',
        cause: error,
      },
    )
  }
  return new SpanStore(db, path, Boolean(options.readonly), options.indexes ?? [], options.synchronous)
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS resources (
  id INTEGER PRIMARY KEY,
  json TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS spans (
  seq INTEGER PRIMARY KEY,
  trace_id TEXT NOT NULL,
  trace_key INTEGER NOT NULL,
  span_id TEXT NOT NULL,
  parent_span_id TEXT,
  name TEXT NOT NULL,
  kind INTEGER NOT NULL,
  start_ns INTEGER NOT NULL,
  end_ns INTEGER NOT NULL,
  status_code INTEGER NOT NULL,
  status_message TEXT,
  service TEXT NOT NULL,
  resource_id INTEGER NOT NULL,
  scope TEXT,
  attributes TEXT NOT NULL,
  events TEXT,
  links TEXT
);
CREATE INDEX IF NOT EXISTS spans_by_trace ON spans(trace_key);
CREATE TABLE IF NOT EXISTS traces (
  trace_id TEXT PRIMARY KEY,
  trace_key INTEGER NOT NULL,
  root_service TEXT,
  root_name TEXT,
  first_service TEXT NOT NULL,
  first_name TEXT NOT NULL,
  first_start_ns INTEGER NOT NULL,
  start_ns INTEGER NOT NULL,
  end_ns INTEGER NOT NULL,
  span_count INTEGER NOT NULL,
  error_count INTEGER NOT NULL,
  llm_cost REAL NOT NULL,
  goblin_id TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS traces_by_start ON traces(start_ns);
CREATE INDEX IF NOT EXISTS traces_by_end ON traces(end_ns);
CREATE TABLE IF NOT EXISTS logs (
  seq INTEGER PRIMARY KEY,
  time_ns INTEGER NOT NULL,
  observed_ns INTEGER NOT NULL,
  severity_number INTEGER NOT NULL,
  severity_text TEXT NOT NULL,
  body TEXT,
  service TEXT NOT NULL,
  resource_id INTEGER NOT NULL,
  scope TEXT,
  attributes TEXT NOT NULL,
  trace_id TEXT,
  span_id TEXT,
  event_name TEXT
);
CREATE INDEX IF NOT EXISTS logs_by_time ON logs(time_ns);
`

const SPAN_COLUMNS =
  's.seq, s.trace_id, s.span_id, s.parent_span_id, s.name, s.kind, s.start_ns, s.end_ns, s.status_code, s.status_message, s.service, r.json AS resource, s.scope, s.attributes, s.events, s.links'

/** A trace's spans in start order, by `spans_by_trace` (exported for its query-plan test). */
export const TRACE_SPANS_SQL = `SELECT ${SPAN_COLUMNS} FROM spans s JOIN resources r ON r.id = s.resource_id
  WHERE s.trace_key = ? AND s.trace_id = ? ORDER BY s.start_ns, s.seq`

interface SpanRow {
  seq: number
  trace_id: string
  span_id: string
  parent_span_id: string | null
  name: string
  kind: number
  start_ns: bigint
  end_ns: bigint
  status_code: number
  status_message: string | null
  service: string
  resource: string
  scope: string | null
  attributes: string
  events: string | null
  links: string | null
}

interface TraceAggregate {
  traceId: string
  rootService: string | null
  rootName: string | null
  firstService: string
  firstName: string
  firstStart: bigint
  start: bigint
  end: bigint
  count: number
  errors: number
  cost: number
  goblinId: string | null
}

/** The SQLite span store: one writer (the collector), any number of read-only readers. */
export class SpanStore {
  readonly db: DatabaseSync
  readonly path: string
  readonly readonly: boolean
  /** The metric tables in the same file (points are written by `ingest`, pruned by `pruneBefore`). */
  readonly metrics: MetricStore
  private readonly indexes: IngestIndex[]
  private readonly resourceIds = new Map<string, number>()
  private readonly statements = new Map<string, StatementSync>()

  constructor(
    db: DatabaseSync,
    path: string,
    readonly: boolean,
    indexes: IngestIndex[],
    synchronous: 'NORMAL' | 'FULL' = 'NORMAL',
  ) {
    this.db = db
    this.path = path
    this.readonly = readonly
    this.indexes = indexes
    if (!readonly) {
      // WAL: readers beside the writer. NORMAL: a commit survives a process crash (fsync at checkpoints);
      // FULL: an OS crash or power loss too (fsync at every commit). See SpanStoreOptions.synchronous.
      // Checkpoints every ~40 MB of WAL rather than 4 MB, and a 64 MB page cache, keep ingest off the disk.
      db.exec(
        `PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous}; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 10000; PRAGMA cache_size = -65536;`,
      )
      const version = Number(
        (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version,
      )
      const hasSpans = db.prepare("SELECT 1 AS x FROM sqlite_master WHERE name = 'spans'").get() !== undefined
      // Version 4 added the logs' event names, version 5 the spans' links: older stores gain the columns in place.
      if (hasSpans && version === 3) db.exec('ALTER TABLE logs ADD COLUMN event_name TEXT')
      if (hasSpans && (version === 3 || version === 4)) {
        db.exec(`ALTER TABLE spans ADD COLUMN links TEXT; PRAGMA user_version = ${SCHEMA_VERSION}`)
      } else if (hasSpans && version !== SCHEMA_VERSION) {
        db.close()
        throw new GoblinError(
          'SPAN_STORE_VERSION',
          `${path} was written by another goblin version (schema ${version})`,
          {
            hint: `Stop the collector and move ${path} aside; the next start creates a new store.`,
          },
        )
      }
      db.exec(SCHEMA)
      db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`)
    } else {
      // A reader cannot upgrade the file in place: it says how to, rather than failing on a missing column.
      const version = Number(
        (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version,
      )
      if (version !== SCHEMA_VERSION) {
        db.close()
        const older = version < SCHEMA_VERSION
        throw new GoblinError(
          'SPAN_STORE_VERSION',
          `${path} has schema ${version}, written by ${older ? 'an older' : 'a newer'} goblin (this one reads ${SCHEMA_VERSION})`,
          {
            hint: older
              ? 'Start the embedded collector once (goblin stack up, or goblin collector serve): it upgrades the store in place.'
              : 'Use the goblin version that wrote it, or move the file aside.',
          },
        )
      }
    }
    this.metrics = new MetricStore(db, readonly)
    for (const index of indexes) index.setup(db)
  }

  private statement(sql: string, bigInts = false): StatementSync {
    const key = `${bigInts ? 'B' : 'N'}${sql}`
    let stmt = this.statements.get(key)
    if (!stmt) {
      stmt = this.db.prepare(sql)
      if (bigInts) stmt.setReadBigInts(true)
      this.statements.set(key, stmt)
    }
    return stmt
  }

  /**
   * Stores spans, log records and metric points in one write transaction, together with every ingest
   * index's rows. Throws when the database is locked by another writer (SQLite BUSY): nothing is written then.
   */
  ingest(spans: SpanRecord[], logs: LogRecordRow[] = [], points: MetricPoint[] = []): void {
    const db = this.db
    db.exec('BEGIN IMMEDIATE')
    try {
      if (spans.length > 0) this.insertSpans(spans)
      if (logs.length > 0) this.insertLogs(logs)
      if (points.length > 0) this.metrics.insert(points)
      if (spans.length > 0 || logs.length > 0) for (const index of this.indexes) index.index(db, spans, logs)
      db.exec('COMMIT')
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK')
      // Resource and series ids handed out inside the rolled-back transaction no longer exist.
      this.resourceIds.clear()
      this.metrics.forgetUncommitted()
      throw error
    }
  }

  private resourceId(resource: Record<string, AttributeValue>): number {
    const json = JSON.stringify(resource)
    const known = this.resourceIds.get(json)
    if (known !== undefined) return known
    this.statement('INSERT INTO resources(json) VALUES (?) ON CONFLICT(json) DO NOTHING').run(json)
    const row = this.statement('SELECT id FROM resources WHERE json = ?').get(json) as { id: number }
    this.resourceIds.set(json, row.id)
    return row.id
  }

  private insertSpans(spans: SpanRecord[]): void {
    const traces = new Map<string, TraceAggregate>()
    let lastResource: Record<string, AttributeValue> | undefined
    let lastResourceId = 0
    // Rows go in ROWS_PER_INSERT at a time: one statement call per row costs more than SQLite's own work.
    const params: Array<string | number | bigint | null> = []
    const flush = (rows: number) => {
      this.insertStatement(rows).run(...params)
      params.length = 0
    }
    let pending = 0
    for (const span of spans) {
      if (span.resource !== lastResource) {
        lastResource = span.resource
        lastResourceId = this.resourceId(span.resource)
      }
      const start = BigInt(span.startTimeUnixNano)
      const end = BigInt(span.endTimeUnixNano)
      params.push(
        span.traceId,
        traceKey(span.traceId),
        span.spanId,
        span.parentSpanId,
        span.name,
        span.kind,
        start,
        end,
        span.statusCode,
        span.statusMessage ?? null,
        span.serviceName,
        lastResourceId,
        span.scopeName ?? null,
        JSON.stringify(span.attributes),
        span.events?.length ? JSON.stringify(span.events) : null,
        span.links?.length ? JSON.stringify(span.links) : null,
      )
      if (++pending === ROWS_PER_INSERT) {
        flush(pending)
        pending = 0
      }
      aggregate(traces, span, start, end)
    }
    if (pending > 0) flush(pending)
    const upsert = this.statement(
      `INSERT INTO traces(trace_id, trace_key, root_service, root_name, first_service, first_name, first_start_ns, start_ns, end_ns, span_count, error_count, llm_cost, goblin_id)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
       ON CONFLICT(trace_id) DO UPDATE SET
         root_service = coalesce(traces.root_service, excluded.root_service),
         root_name = coalesce(traces.root_name, excluded.root_name),
         first_service = CASE WHEN excluded.first_start_ns < traces.first_start_ns THEN excluded.first_service ELSE traces.first_service END,
         first_name = CASE WHEN excluded.first_start_ns < traces.first_start_ns THEN excluded.first_name ELSE traces.first_name END,
         first_start_ns = min(traces.first_start_ns, excluded.first_start_ns),
         start_ns = min(traces.start_ns, excluded.start_ns),
         end_ns = max(traces.end_ns, excluded.end_ns),
         span_count = traces.span_count + excluded.span_count,
         error_count = traces.error_count + excluded.error_count,
         llm_cost = traces.llm_cost + excluded.llm_cost,
         goblin_id = coalesce(traces.goblin_id, excluded.goblin_id)`,
    )
    for (const t of traces.values()) {
      upsert.run(
        t.traceId,
        traceKey(t.traceId),
        t.rootService,
        t.rootName,
        t.firstService,
        t.firstName,
        t.firstStart,
        t.start,
        t.end,
        t.count,
        t.errors,
        t.cost,
        t.goblinId,
      )
    }
  }

  /** `INSERT INTO spans ... VALUES (...), (...)` for `rows` rows, prepared once per row count. */
  private insertStatement(rows: number): StatementSync {
    const values = Array.from({ length: rows }, () => '(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)').join(',')
    return this.statement(
      `INSERT INTO spans(trace_id, trace_key, span_id, parent_span_id, name, kind, start_ns, end_ns, status_code, status_message, service, resource_id, scope, attributes, events, links) VALUES ${values}`,
    )
  }

  private insertLogs(logs: LogRecordRow[]): void {
    const insert = this.statement(
      'INSERT INTO logs(time_ns, observed_ns, severity_number, severity_text, body, service, resource_id, scope, attributes, trace_id, span_id, event_name) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)',
    )
    for (const log of logs) {
      insert.run(
        BigInt(log.timeUnixNano),
        BigInt(log.observedTimeUnixNano),
        log.severityNumber,
        log.severityText,
        JSON.stringify(log.body),
        log.serviceName,
        this.resourceId(log.resource),
        log.scopeName ?? null,
        JSON.stringify(log.attributes),
        log.traceId,
        log.spanId,
        log.eventName ?? null,
      )
    }
  }

  /** Every stored span of a trace (id in either case), in start order; empty when the trace is unknown. */
  getTrace(traceId: string): StoredSpan[] {
    const rows = this.statement(TRACE_SPANS_SQL, true).all(
      traceKey(traceId.toLowerCase()),
      traceId.toLowerCase(),
    ) as unknown as SpanRow[]
    return rowsToSpans(rows)
  }

  /** Up to `limit` stored trace ids starting with `prefix` (lowercase hex), in order: how a short id resolves. */
  traceIdsWithPrefix(prefix: string, limit: number): string[] {
    // Hex digits sort below 'g', so [prefix, prefix + 'g') is every id with the prefix: a range of the key.
    const rows = this.statement(
      'SELECT trace_id FROM traces WHERE trace_id >= ? AND trace_id < ? ORDER BY trace_id LIMIT ?',
    ).all(prefix, `${prefix}g`, limit) as Array<{ trace_id: string }>
    return rows.map((row) => row.trace_id)
  }

  /** Spans stored after the cursor `seq`, oldest first: what `goblin trace tail` follows. */
  spansAfter(seq: number, limit = 1_000): StoredSpan[] {
    const rows = this.statement(
      `SELECT ${SPAN_COLUMNS} FROM spans s JOIN resources r ON r.id = s.resource_id WHERE s.seq > ? ORDER BY s.seq LIMIT ?`,
      true,
    ).all(seq, limit) as unknown as SpanRow[]
    return rowsToSpans(rows)
  }

  /** The newest span's cursor (0 when empty). */
  lastSeq(): number {
    const row = this.statement('SELECT coalesce(max(seq), 0) AS seq FROM spans').get() as { seq: number }
    return Number(row.seq)
  }

  /** Recent traces matching the query, newest first. */
  search(query: TraceQuery = {}): TraceSummary[] {
    const { sql, params } = searchSql(query)
    const rows = this.db.prepare(sql)
    rows.setReadBigInts(true)
    const summaries = (rows.all(...params) as Array<Record<string, unknown>>).map((row) => ({
      traceID: String(row.trace_id),
      rootServiceName: String(row.service),
      rootTraceName: String(row.name),
      rootSpanReceived: Number(row.has_root) === 1,
      startTimeUnixNano: String(row.start_ns),
      durationMs: Number((row.end_ns as bigint) - (row.start_ns as bigint)) / 1e6,
      spanCount: Number(row.span_count),
      errorCount: Number(row.error_count),
      costUsd: Number(row.llm_cost),
      llmCalls: 0,
      unpricedCalls: 0,
      goblinId: row.goblin_id === null ? null : String(row.goblin_id),
    }))
    for (const index of this.indexes) {
      const costs = index.traceCosts?.(
        this.db,
        summaries.map((t) => t.traceID),
      )
      for (const summary of summaries) {
        const cost = costs?.get(summary.traceID)
        if (!cost) continue
        summary.costUsd = cost.usd
        summary.llmCalls = cost.calls
        summary.unpricedCalls = cost.unpricedCalls
      }
    }
    return summaries
  }

  /** A trace's LLM calls as the cost index holds them; null when no index serves them. */
  traceCalls(traceId: string): IndexedCall[] | null {
    for (const index of this.indexes) {
      if (index.traceCalls) return index.traceCalls(this.db, traceId)
    }
    return null
  }

  /**
   * LLM calls summed per model, provider and `by` in the filter's window, aggregates left out (what cost
   * reports and budgets price), split and summed as `options` say; null when the store has no
   * `llm_calls` index yet.
   */
  llmUsage(
    by: readonly GroupKey[],
    filter: UsageFilter,
    options: UsageQueryOptions = {},
  ): UsageGroup[] | null {
    if (!tableExists(this.db)) return null
    return queryUsageGroups(this.db, by, filter, options)
  }

  /**
   * Deletes whole traces that ended before the cutoff (and older logs and metric points), then calls each
   * index's prune.
   * Returns the number of spans deleted.
   */
  pruneBefore(cutoffUnixNano: bigint): number {
    const db = this.db
    db.exec('BEGIN IMMEDIATE')
    try {
      const deleted = this.statement(
        `DELETE FROM spans WHERE seq IN (SELECT s.seq FROM traces t
           JOIN spans s ON s.trace_key = t.trace_key AND s.trace_id = t.trace_id WHERE t.end_ns < ?)`,
      ).run(cutoffUnixNano)
      this.statement('DELETE FROM traces WHERE end_ns < ?').run(cutoffUnixNano)
      this.statement('DELETE FROM logs WHERE time_ns < ?').run(cutoffUnixNano)
      this.metrics.pruneBefore(cutoffUnixNano)
      for (const index of this.indexes) index.prune(db, cutoffUnixNano)
      db.exec('COMMIT')
      return Number(deleted.changes)
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK')
      throw error
    }
  }

  /**
   * Applies the retention policy: drops traces older than maxAgeHours, then, while the live data exceeds
   * maxMegabytes, the oldest traces (or, without traces, metric points) down to 90% of it. Freed pages are
   * reused, so the file stops growing.
   */
  applyRetention(policy: RetentionPolicy, nowUnixNano: bigint = BigInt(Date.now()) * 1_000_000n): number {
    let deleted = this.pruneBefore(
      nowUnixNano - BigInt(Math.round(policy.maxAgeHours * 3600)) * 1_000_000_000n,
    )
    const limit = policy.maxMegabytes * 1024 * 1024
    for (let round = 0; round < 8; round++) {
      const { bytes, traces } = this.stats()
      if (bytes <= limit) break
      const share = Math.min(1, 1 - (0.9 * limit) / bytes)
      const offset = Math.max(0, Math.min(traces - 1, Math.floor(traces * share)))
      const row = this.statement('SELECT end_ns FROM traces ORDER BY end_ns LIMIT 1 OFFSET ?', true).get(
        offset,
      ) as { end_ns: bigint } | undefined
      // A store holding metrics but no traces is cut at its points' times instead.
      const cutoff = traces > 0 ? row?.end_ns : this.metrics.timeAtShare(share)
      if (cutoff === undefined) break
      deleted += this.pruneBefore(cutoff + 1n)
    }
    return deleted
  }

  /** Counts and the bytes of live (non-free) pages. */
  stats(): StoreStats {
    const count = (sql: string) => Number((this.statement(sql).get() as { n: number }).n)
    const pageSize = count('SELECT page_size AS n FROM pragma_page_size')
    const pages = count('SELECT page_count AS n FROM pragma_page_count')
    const free = count('SELECT freelist_count AS n FROM pragma_freelist_count')
    return {
      spans: count('SELECT count(*) AS n FROM spans'),
      traces: count('SELECT count(*) AS n FROM traces'),
      logs: count('SELECT count(*) AS n FROM logs'),
      bytes: (pages - free) * pageSize,
    }
  }

  /** Checkpoints the WAL into the main file (on shutdown) and closes. */
  close(): void {
    if (!this.db.isOpen) return
    if (!this.readonly) {
      try {
        this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
      } catch {
        // A reader holding the WAL open only delays the checkpoint; the data is committed either way.
      }
    }
    this.statements.clear()
    this.db.close()
  }
}

/**
 * The SQL of a trace search (exported for its query-plan test): the newest traces by `traces_by_start`,
 * tag filters as EXISTS over the trace's spans by `spans_by_trace`.
 */
export function searchSql(query: TraceQuery): { sql: string; params: Array<string | number | bigint> } {
  const where: string[] = []
  const params: Array<string | number | bigint> = []
  if (query.startUnixNano !== undefined) {
    where.push('t.start_ns >= ?')
    params.push(query.startUnixNano)
  }
  if (query.endUnixNano !== undefined) {
    where.push('t.start_ns <= ?')
    params.push(query.endUnixNano)
  }
  if (query.minDurationMs !== undefined) {
    where.push('t.end_ns - t.start_ns >= ?')
    params.push(BigInt(Math.round(query.minDurationMs * 1e6)))
  }
  if (query.maxDurationMs !== undefined) {
    where.push('t.end_ns - t.start_ns <= ?')
    params.push(BigInt(Math.round(query.maxDurationMs * 1e6)))
  }
  for (const [key, value] of Object.entries(query.tags ?? {})) {
    const clause = tagClause(key, value)
    where.push(clause.sql)
    params.push(...clause.params)
  }
  const sql = `SELECT t.trace_id, coalesce(t.root_service, t.first_service) AS service, coalesce(t.root_name, t.first_name) AS name,
      t.root_name IS NOT NULL AS has_root, t.start_ns, t.end_ns, t.span_count, t.error_count, t.llm_cost, t.goblin_id
    FROM traces t ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY t.start_ns DESC LIMIT ?`
  params.push(query.limit ?? 20)
  return { sql, params }
}

function aggregate(traces: Map<string, TraceAggregate>, span: SpanRecord, start: bigint, end: bigint): void {
  let t = traces.get(span.traceId)
  if (!t) {
    t = {
      traceId: span.traceId,
      rootService: null,
      rootName: null,
      firstService: span.serviceName,
      firstName: span.name,
      firstStart: start,
      start,
      end,
      count: 0,
      errors: 0,
      cost: 0,
      goblinId: null,
    }
    traces.set(span.traceId, t)
  }
  t.count++
  if (span.statusCode === 2) t.errors++
  if (start < t.start) t.start = start
  if (end > t.end) t.end = end
  if (start < t.firstStart) {
    t.firstStart = start
    t.firstService = span.serviceName
    t.firstName = span.name
  }
  if (span.parentSpanId === null && t.rootName === null) {
    t.rootName = span.name
    t.rootService = span.serviceName
  }
  const cost = span.attributes['llm.cost']
  if (typeof cost === 'number' && Number.isFinite(cost)) t.cost += cost
  if (t.goblinId === null) {
    const goblin = span.attributes['goblin.id'] ?? span.resource['goblin.id']
    if (typeof goblin === 'string') t.goblinId = goblin
  }
}

function tagClause(key: string, value: string): { sql: string; params: Array<string | number> } {
  switch (key) {
    case 'service.name':
      return {
        sql: 'EXISTS (SELECT 1 FROM spans s WHERE s.trace_key = t.trace_key AND s.trace_id = t.trace_id AND s.service = ?)',
        params: [value],
      }
    case 'goblin.id':
      return { sql: 't.goblin_id = ?', params: [value] }
    case 'status':
      if (value === 'error') return { sql: 't.error_count > 0', params: [] }
      if (value === 'ok' || value === 'unset') return { sql: 't.error_count = 0', params: [] }
      return { sql: '0', params: [] }
    case 'name':
      return {
        sql: 'EXISTS (SELECT 1 FROM spans s WHERE s.trace_key = t.trace_key AND s.trace_id = t.trace_id AND s.name = ?)',
        params: [value],
      }
    default: {
      const path = `$."${key.replace(/"/g, '""')}"`
      return {
        sql: `EXISTS (SELECT 1 FROM spans s JOIN resources r ON r.id = s.resource_id WHERE s.trace_key = t.trace_key AND s.trace_id = t.trace_id
          AND (CAST(json_extract(s.attributes, ?) AS TEXT) = ? OR CAST(json_extract(r.json, ?) AS TEXT) = ?))`,
        params: [path, value, path, value],
      }
    }
  }
}

/** Rows to spans; spans of one resource share one parsed resource object (a trace has few resources). */
function rowsToSpans(rows: SpanRow[]): StoredSpan[] {
  const resources = new Map<string, Record<string, AttributeValue>>()
  return rows.map((row) => {
    let resource = resources.get(row.resource)
    if (!resource) {
      resource = JSON.parse(row.resource) as Record<string, AttributeValue>
      resources.set(row.resource, resource)
    }
    return rowToSpan(row, resource)
  })
}

function rowToSpan(row: SpanRow, resource: Record<string, AttributeValue>): StoredSpan {
  const span: StoredSpan = {
    seq: Number(row.seq),
    traceId: row.trace_id,
    spanId: row.span_id,
    parentSpanId: row.parent_span_id,
    name: row.name,
    kind: Number(row.kind),
    startTimeUnixNano: String(row.start_ns),
    endTimeUnixNano: String(row.end_ns),
    statusCode: Number(row.status_code),
    serviceName: row.service,
    attributes: JSON.parse(row.attributes) as Record<string, AttributeValue>,
    resource,
  }
  if (row.status_message) span.statusMessage = row.status_message
  if (row.scope) span.scopeName = row.scope
  if (row.events) span.events = JSON.parse(row.events) as NonNullable<SpanRecord['events']>
  if (row.links) span.links = JSON.parse(row.links) as NonNullable<SpanRecord['links']>
  return span
}
