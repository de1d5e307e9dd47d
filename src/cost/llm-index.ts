import { createHash } from 'node:crypto'
import { statSync } from 'node:fs'
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { CostLabels } from '../collector/metrics.js'
import type { LogRecordRow } from '../collector/otlp-decode.js'
import type { AttributeValue, SpanRecord } from '../collector/span-record.js'
import { type IngestIndex, type TraceCost, traceKey } from '../collector/span-store.js'
import { goblinHome } from '../core/paths.js'
import type { CallTokens, LlmCall } from '../llm/llm-call.js'
import { readLogCall } from '../llm/read-log.js'
import { MODEL_HINT_KEYS, readSpanCall } from '../llm/read-span.js'
import { placeCalls } from '../llm/trace-calls.js'
import type { LlmUsage } from './llm-usage.js'
import type { PriceBook } from './price-book.js'
import { loadTablePrices } from './price-sources.js'
import { importedPricesPath } from './price-store.js'
import { costOfUsage, roundUsd } from './usage-cost.js'

export interface LlmIndexOptions {
  /**
   * Called for each newly stored LLM call that counts towards spend, with its USD (span `llm.cost`, else
   * tokens x price); the collector adds it to `goblin_cost_usd_total`.
   */
  onCost?: (labels: CostLabels, usd: number) => void
  /** Prices a call without `llm.cost` (null: unknown model). Default: the bundled and imported tables. */
  price?: (usage: LlmUsage) => number | null
  /** GOBLIN_HOME whose imported prices the default pricer reads. */
  home?: string
}

export const LLM_CALLS_TABLE = 'llm_calls'

/** Where a row came from: a span, or a log event (a coding agent's `api_request`, ...). */
const FROM_SPAN = 0
const FROM_LOG = 1

/**
 * Names (models, providers, goblins, tasks, services, sessions) are stored once in `llm_names` and
 * referenced by id, and trace/span ids as bytes. A log event's call has no span: its `span_id` is a hash of
 * the record, so a re-delivered record is stored once. `own_model` tells a model the call named from one it
 * inherited from an ancestor span; `aggregate` marks a call with calls below it in its trace (left out of
 * every sum); `match_key` finds the same call seen as a span and as a log event. `llm_calls_report` covers
 * every column a report reads, in the order reports group by.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS llm_names (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS llm_calls (
  trace_id BLOB NOT NULL,
  span_id BLOB NOT NULL,
  source INTEGER NOT NULL,
  start_ns INTEGER NOT NULL,
  model INTEGER,
  own_model INTEGER NOT NULL,
  provider INTEGER,
  goblin INTEGER,
  task INTEGER,
  service INTEGER,
  session INTEGER,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cache_read_tokens INTEGER NOT NULL,
  cache_creation_tokens INTEGER NOT NULL,
  cache_creation_1h_tokens INTEGER NOT NULL,
  reasoning_tokens INTEGER NOT NULL,
  metered INTEGER NOT NULL,
  cost REAL,
  match_key TEXT,
  aggregate INTEGER NOT NULL DEFAULT 0,
  counted_usd REAL,
  matched INTEGER NOT NULL DEFAULT 0,
  UNIQUE (trace_id, span_id)
);
CREATE INDEX IF NOT EXISTS llm_calls_by_start ON llm_calls (start_ns);
CREATE INDEX IF NOT EXISTS llm_calls_by_match ON llm_calls (match_key) WHERE match_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS llm_calls_report ON llm_calls (aggregate, model, provider, goblin, task, service,
  session, start_ns, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens,
  cache_creation_1h_tokens, metered, cost);
`

/** The trace id of a log call that names no trace. */
const NO_TRACE = new Uint8Array(16)

/** `coalesce` of the span attributes `spanModelHint` reads, for walking a trace in SQL. */
const MODEL_HINT_SQL = `coalesce(${MODEL_HINT_KEYS.map((k) => `json_extract(attributes, '$."${k}"')`).join(', ')})`

/** A call stored in this batch, counted on `/metrics` once its place in the trace is known. */
interface NewCall {
  traceId: Uint8Array
  spanId: Uint8Array
  call: LlmCall
}

/**
 * The cost index of the span store: one `llm_calls` row per LLM call read from a span (`readSpanCall`) or
 * a log event (`readLogCall`), written in the same transaction as the batch. After each batch, every
 * touched trace that holds calls is walked again (`placeCalls`): a call with calls below it, at any depth
 * and whichever arrived first, is an aggregate; a call naming no model inherits its nearest ancestor's.
 * The same call seen as a span and as a log event (same session, model and input) is kept once, as the
 * span, with the log event's own cost when the span has none.
 */
export function llmCallsIndex(options: LlmIndexOptions = {}): IngestIndex {
  // Lazy: the price tables are read on the first call that needs a price.
  const price = options.price ?? tablePricer(options.home ?? goblinHome())
  const statements = new WeakMap<DatabaseSync, Statements>()
  const debt = new Map<string, number>()
  const index = (db: DatabaseSync, spans: SpanRecord[], logs: LogRecordRow[] = []): void => {
    let s = statements.get(db)
    if (!s) {
      s = prepare(db)
      statements.set(db, s)
    }
    const st = s
    // Ids are cached for this batch only: a rolled-back batch takes its new names with it.
    const ids = new Map<string, number>()
    const nameId = (name: string | null): number | null => {
      if (name === null) return null
      let id = ids.get(name)
      if (id === undefined) {
        id = Number((st.name.get(name) as { id: number }).id)
        ids.set(name, id)
      }
      return id
    }
    const stored: NewCall[] = []
    const touched = new Map<string, Uint8Array>()
    const insert = (
      traceId: Uint8Array,
      spanId: Uint8Array,
      source: number,
      startNs: bigint,
      call: LlmCall,
      key: string | null,
    ) => {
      const inserted = st.insert.run(
        traceId,
        spanId,
        source,
        startNs,
        nameId(call.model),
        call.model === null ? 0 : 1,
        nameId(call.provider),
        nameId(call.goblin),
        nameId(call.task),
        nameId(call.service),
        nameId(call.session),
        ...tokenColumns(call.tokens),
        call.metered ? 1 : 0,
        call.ownCostUsd,
        key,
      )
      if (Number(inserted.changes) > 0) stored.push({ traceId, spanId, call })
    }
    for (const span of spans) {
      touched.set(span.traceId, idBytes(span.traceId))
      const call = readSpanCall(span)
      if (!call) continue
      const startNs = BigInt(span.startTimeUnixNano)
      const key = twinKey(call)
      const traceId = idBytes(span.traceId)
      const spanId = idBytes(span.spanId)
      insert(traceId, spanId, FROM_SPAN, startNs, call, key)
      const twin = key === null ? undefined : findTwin(st, key, FROM_LOG, startNs)
      if (twin && stored.at(-1)?.spanId === spanId) {
        // Seen first as a log event: the span takes its place, with the event's counts, cost and session.
        st.takeLog.run(twin.trace_id, twin.span_id, traceId, spanId)
        st.remove.run(twin.trace_id, twin.span_id)
        stored.pop()
      }
    }
    for (const log of logs) {
      const call = readLogCall(log)
      if (!call) continue
      const startNs = BigInt(log.timeUnixNano)
      const key = twinKey(call)
      const twin = key === null ? undefined : findTwin(st, key, FROM_SPAN, startNs)
      if (twin) {
        st.mergeLog.run(
          ...tokenColumns(call.tokens),
          call.ownCostUsd,
          nameId(call.session),
          twin.trace_id,
          twin.span_id,
        )
        continue
      }
      insert(log.traceId ? idBytes(log.traceId) : NO_TRACE, logCallId(log), FROM_LOG, startNs, call, key)
    }
    // USD counted on /metrics for calls that turned out to be aggregates: the counter cannot go down, so
    // later calls of the same labels pay it back before they add anything.
    const uncount = (labels: CostLabels, usd: number) => {
      const key = labelKey(labels)
      debt.set(key, (debt.get(key) ?? 0) + usd)
    }
    for (const [hex, traceId] of touched) {
      if (st.traceHasCalls.get(traceId) !== undefined) placeTraceCalls(st, hex, traceId, nameId, uncount)
    }
    if (!options.onCost) return
    for (const { traceId, spanId, call } of stored) {
      const row = st.placed.get(traceId, spanId) as { aggregate: number; model: string | null } | undefined
      if (!row || row.aggregate === 1) continue
      const usd = call.ownCostUsd ?? price(usageOf(call, row.model))
      if (usd === null || usd <= 0) continue
      st.counted.run(usd, traceId, spanId)
      const labels = { goblin: call.goblin ?? '', model: row.model ?? '', provider: call.provider ?? '' }
      const key = labelKey(labels)
      const owed = debt.get(key) ?? 0
      if (owed >= usd) debt.set(key, owed - usd)
      else {
        debt.delete(key)
        options.onCost(labels, usd - owed)
      }
    }
  }
  return {
    name: LLM_CALLS_TABLE,
    setup(db) {
      const version = indexVersion(db)
      if (version === 'current' || isReadOnly(db)) return
      // The index is derived data: an earlier layout is dropped and rebuilt from the stored spans and logs.
      if (version === 'old') db.exec('DROP TABLE llm_calls')
      db.exec(SCHEMA)
      backfill(db, index)
    },
    index,
    prune(db, cutoffUnixNano) {
      if (!tableExists(db)) return
      db.prepare('DELETE FROM llm_calls WHERE start_ns < ?').run(cutoffUnixNano)
    },
    traceCosts(db, traceIds) {
      return traceCosts(db, traceIds, price)
    },
  }
}

/** A call's token counts in the order of the `llm_calls` columns, input_tokens to reasoning_tokens. */
function tokenColumns(t: CallTokens): number[] {
  return [t.input, t.output, t.cacheRead, t.cacheWrite5m, t.cacheWrite1h, t.reasoning]
}

function labelKey(labels: CostLabels): string {
  return JSON.stringify([labels.goblin, labels.model, labels.provider])
}

/** The priced shape of a call whose model is known only now (it may be inherited). */
function usageOf(call: LlmCall, model: string | null): LlmUsage {
  const t = call.tokens
  return {
    model,
    provider: call.provider,
    inputTokens: t.input,
    outputTokens: t.output,
    cacheReadTokens: t.cacheRead,
    cacheCreationTokens: t.cacheWrite5m + t.cacheWrite1h,
    cost: call.ownCostUsd,
    goblin: call.goblin,
    task: call.task,
    service: call.service,
  }
}

interface TwinRow {
  trace_id: Uint8Array
  span_id: Uint8Array
}

/** How far apart a span and a log event of one call may start: the agents write both within milliseconds. */
const TWIN_WINDOW_NS = 60_000_000_000n

/**
 * The key a span and a log event of the same call share: the sending service and the call's input tokens
 * (the one count every agent reports alike in both; Gemini CLI's span leaves the thoughts out of the output).
 * Unmetered calls have no twin.
 */
function twinKey(call: LlmCall): string | null {
  return call.metered ? JSON.stringify([call.service, call.tokens.input]) : null
}

/** The nearest unmatched call of the other source with the same key, within the window. */
function findTwin(st: Statements, key: string, source: number, startNs: bigint): TwinRow | undefined {
  return st.findTwin.get(key, source, startNs - TWIN_WINDOW_NS, startNs + TWIN_WINDOW_NS, startNs) as
    | TwinRow
    | undefined
}

interface Statements {
  name: StatementSync
  insert: StatementSync
  findTwin: StatementSync
  remove: StatementSync
  mergeLog: StatementSync
  takeLog: StatementSync
  traceHasCalls: StatementSync
  traceNodes: StatementSync
  traceCalls: StatementSync
  labels: StatementSync
  counted: StatementSync
  place: StatementSync
  placed: StatementSync
}

function prepare(db: DatabaseSync): Statements {
  return {
    name: db.prepare(
      'INSERT INTO llm_names (name) VALUES (?) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id',
    ),
    insert: db.prepare(
      `INSERT INTO llm_calls (trace_id, span_id, source, start_ns, model, own_model, provider, goblin, task, service,
         session, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cache_creation_1h_tokens,
         reasoning_tokens, metered, cost, match_key)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (trace_id, span_id) DO NOTHING`,
    ),
    findTwin: db.prepare(
      `SELECT trace_id, span_id FROM llm_calls WHERE match_key = ? AND source = ? AND matched = 0
         AND start_ns BETWEEN ? AND ? ORDER BY abs(start_ns - ?) LIMIT 1`,
    ),
    remove: db.prepare('DELETE FROM llm_calls WHERE trace_id = ? AND span_id = ?'),
    mergeLog: db.prepare(
      `UPDATE llm_calls SET input_tokens = ?, output_tokens = ?, cache_read_tokens = ?, cache_creation_tokens = ?,
         cache_creation_1h_tokens = ?, reasoning_tokens = ?, metered = 1, cost = coalesce(cost, ?),
         session = coalesce(session, ?), matched = 1
       WHERE trace_id = ? AND span_id = ?`,
    ),
    takeLog: db.prepare(
      `UPDATE llm_calls AS c SET input_tokens = l.input_tokens, output_tokens = l.output_tokens,
         cache_read_tokens = l.cache_read_tokens, cache_creation_tokens = l.cache_creation_tokens,
         cache_creation_1h_tokens = l.cache_creation_1h_tokens, reasoning_tokens = l.reasoning_tokens,
         cost = coalesce(c.cost, l.cost), session = coalesce(c.session, l.session), counted_usd = l.counted_usd,
         matched = 1
       FROM (SELECT * FROM llm_calls WHERE trace_id = ? AND span_id = ?) AS l
       WHERE c.trace_id = ? AND c.span_id = ?`,
    ),
    traceHasCalls: db.prepare(
      `SELECT 1 AS x FROM llm_calls WHERE trace_id = ? AND source = ${FROM_SPAN} LIMIT 1`,
    ),
    traceNodes: db.prepare(
      `SELECT span_id, parent_span_id, ${MODEL_HINT_SQL} AS hint FROM spans WHERE trace_key = ? AND trace_id = ?`,
    ),
    traceCalls: db.prepare(
      `SELECT lower(hex(span_id)) AS span_id, aggregate, model, own_model, counted_usd FROM llm_calls
       WHERE trace_id = ? AND source = ${FROM_SPAN}`,
    ),
    labels: db.prepare(
      `SELECT coalesce(g.name, '') AS goblin, coalesce(m.name, '') AS model, coalesce(p.name, '') AS provider
       FROM llm_calls c LEFT JOIN llm_names g ON g.id = c.goblin LEFT JOIN llm_names m ON m.id = c.model
         LEFT JOIN llm_names p ON p.id = c.provider WHERE c.trace_id = ? AND c.span_id = ?`,
    ),
    counted: db.prepare('UPDATE llm_calls SET counted_usd = ? WHERE trace_id = ? AND span_id = ?'),
    place: db.prepare('UPDATE llm_calls SET aggregate = ?, model = ? WHERE trace_id = ? AND span_id = ?'),
    placed: db.prepare(
      'SELECT c.aggregate, m.name AS model FROM llm_calls c LEFT JOIN llm_names m ON m.id = c.model WHERE c.trace_id = ? AND c.span_id = ?',
    ),
  }
}

/** Walks one trace's spans and updates its calls' aggregate flags and inherited models. */
function placeTraceCalls(
  st: Statements,
  hex: string,
  traceId: Uint8Array,
  nameId: (name: string | null) => number | null,
  onUncounted: (labels: CostLabels, usd: number) => void,
): void {
  const nodes = (st.traceNodes.all(traceKey(hex), hex) as Array<Record<string, unknown>>).map((row) => ({
    spanId: String(row.span_id),
    parentSpanId: row.parent_span_id === null ? null : String(row.parent_span_id),
    modelHint: typeof row.hint === 'string' && row.hint.trim() !== '' ? row.hint.trim() : null,
  }))
  const calls = st.traceCalls.all(traceId) as Array<{
    span_id: string
    aggregate: number
    model: number | null
    own_model: number
    counted_usd: number | null
  }>
  const places = placeCalls(
    nodes,
    calls.map((c) => c.span_id),
  )
  for (const call of calls) {
    const place = places.get(call.span_id)
    if (!place) continue
    const aggregate = place.aggregate ? 1 : 0
    const model = call.own_model === 1 ? call.model : nameId(place.inheritedModel)
    if (aggregate !== Number(call.aggregate) || model !== (call.model === null ? null : Number(call.model))) {
      st.place.run(aggregate, model, traceId, idBytes(call.span_id))
    }
    if (aggregate === 1 && Number(call.aggregate) === 0 && call.counted_usd !== null) {
      const labels = st.labels.get(traceId, idBytes(call.span_id)) as unknown as CostLabels
      onUncounted(labels, Number(call.counted_usd))
    }
  }
}

/** A log call's row id: 8 bytes of the SHA-256 of the record, so a re-delivered record is stored once. */
function logCallId(log: LogRecordRow): Uint8Array {
  const hash = createHash('sha256')
  hash.update(
    JSON.stringify([
      log.timeUnixNano,
      log.observedTimeUnixNano,
      log.traceId,
      log.spanId,
      log.body,
      log.attributes,
      log.resource,
    ]),
  )
  return hash.digest().subarray(0, 8)
}

/**
 * The USD each trace's LLM calls cost (own cost, else tokens x price), counted as reports count them:
 * aggregates left out. Unmetered calls and calls of unknown models add nothing and are counted as
 * unpriced; a trace without LLM calls is absent.
 */
export function traceCosts(
  db: DatabaseSync,
  traceIds: string[],
  price: (usage: LlmUsage) => number | null,
): Map<string, TraceCost> {
  const costs = new Map<string, TraceCost>()
  if (traceIds.length === 0 || !tableExists(db)) return costs
  const rows = db
    .prepare(
      `SELECT lower(hex(c.trace_id)) AS trace_id, m.name AS model, p.name AS provider, c.input_tokens,
         c.output_tokens, c.cache_read_tokens, c.cache_creation_tokens + c.cache_creation_1h_tokens AS cache_creation,
         c.cost, c.metered
       FROM llm_calls c LEFT JOIN llm_names m ON m.id = c.model LEFT JOIN llm_names p ON p.id = c.provider
       WHERE c.aggregate = 0 AND c.trace_id IN (${traceIds.map(() => '?').join(',')})`,
    )
    .all(...traceIds.map(idBytes)) as Array<Record<string, string | number | null>>
  for (const row of rows) {
    const usage: LlmUsage = {
      model: row.model as string | null,
      provider: row.provider as string | null,
      inputTokens: Number(row.input_tokens),
      outputTokens: Number(row.output_tokens),
      cacheReadTokens: Number(row.cache_read_tokens),
      cacheCreationTokens: Number(row.cache_creation),
      cost: row.cost === null ? null : Number(row.cost),
      goblin: null,
      task: null,
      service: '',
    }
    const usd = usage.cost ?? (Number(row.metered) === 1 ? price(usage) : null)
    const traceId = String(row.trace_id)
    const cost = costs.get(traceId) ?? { usd: 0, calls: 0, unpricedCalls: 0 }
    cost.calls++
    if (usd === null) cost.unpricedCalls++
    else cost.usd = roundUsd(cost.usd + usd)
    costs.set(traceId, cost)
  }
  return costs
}

/**
 * Prices with the bundled and imported tables, re-reading the imported one when `goblin cost prices import`
 * replaces it, so a running collector picks up new prices without a restart.
 */
function tablePricer(home: string): (usage: LlmUsage) => number | null {
  let book: PriceBook | undefined
  let importedAt = -1
  let checkedAt = 0
  return (usage) => {
    const now = Date.now()
    if (!book || now - checkedAt > 5_000) {
      checkedAt = now
      const mtime = fileMtime(importedPricesPath(home))
      if (!book || mtime !== importedAt) {
        book = loadTablePrices(home)
        importedAt = mtime
      }
    }
    return costOfUsage(usage, book)?.usd ?? null
  }
}

function fileMtime(path: string): number {
  try {
    return statSync(path).mtimeMs
  } catch {
    return 0
  }
}

/** True when the store has the cost index table (a store written without it has none). */
export function tableExists(db: DatabaseSync): boolean {
  return indexVersion(db) === 'current'
}

/** `current`, `none`, or `old` (an llm_calls of an earlier layout, rebuilt on setup). */
function indexVersion(db: DatabaseSync): 'current' | 'none' | 'old' {
  const columns = db.prepare("SELECT name FROM pragma_table_info('llm_calls')").all() as Array<{
    name: string
  }>
  if (columns.length === 0) return 'none'
  return columns.some((c) => c.name === 'match_key') ? 'current' : 'old'
}

function isReadOnly(db: DatabaseSync): boolean {
  try {
    db.exec('BEGIN IMMEDIATE; ROLLBACK')
    return false
  } catch {
    return true
  }
}

/** Trace and span ids are stored as their bytes (half the size of hex). */
function idBytes(hex: string): Uint8Array {
  return Buffer.from(hex, 'hex')
}

/**
 * Fills a new `llm_calls` table from the spans and log records stored before it existed (or before its
 * layout changed), so a store written by an older collector reports its history too.
 */
function backfill(
  db: DatabaseSync,
  index: (db: DatabaseSync, spans: SpanRecord[], logs: LogRecordRow[]) => void,
): void {
  const has = (table: string) =>
    db.prepare("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined
  if (!has('spans')) return
  const spans = db.prepare(
    `SELECT s.trace_id, s.span_id, s.parent_span_id, s.name, s.kind, s.start_ns, s.end_ns, s.status_code, s.service,
        s.attributes, r.json AS resource
     FROM spans s JOIN resources r ON r.id = s.resource_id`,
  )
  spans.setReadBigInts(true)
  const logs = db.prepare(
    `SELECT l.time_ns, l.observed_ns, l.severity_number, l.severity_text, l.body, l.service, l.attributes,
        l.trace_id, l.span_id, l.event_name, r.json AS resource
     FROM logs l JOIN resources r ON r.id = l.resource_id`,
  )
  logs.setReadBigInts(true)
  db.exec('BEGIN IMMEDIATE')
  try {
    let batch: SpanRecord[] = []
    for (const row of spans.iterate() as Iterable<Record<string, unknown>>) {
      batch.push({
        traceId: String(row.trace_id),
        spanId: String(row.span_id),
        parentSpanId: row.parent_span_id === null ? null : String(row.parent_span_id),
        name: String(row.name),
        kind: Number(row.kind),
        startTimeUnixNano: String(row.start_ns),
        endTimeUnixNano: String(row.end_ns),
        statusCode: Number(row.status_code),
        serviceName: String(row.service),
        attributes: JSON.parse(String(row.attributes)) as Record<string, AttributeValue>,
        resource: JSON.parse(String(row.resource)) as Record<string, AttributeValue>,
      })
      if (batch.length >= 5_000) {
        index(db, batch, [])
        batch = []
      }
    }
    index(db, batch, [])
    let logBatch: LogRecordRow[] = []
    for (const row of logs.iterate() as Iterable<Record<string, unknown>>) {
      logBatch.push({
        timeUnixNano: String(row.time_ns),
        observedTimeUnixNano: String(row.observed_ns),
        severityNumber: Number(row.severity_number),
        severityText: String(row.severity_text),
        body: row.body === null ? null : (JSON.parse(String(row.body)) as AttributeValue),
        attributes: JSON.parse(String(row.attributes)) as Record<string, AttributeValue>,
        resource: JSON.parse(String(row.resource)) as Record<string, AttributeValue>,
        serviceName: String(row.service),
        traceId: row.trace_id === null ? null : String(row.trace_id),
        spanId: row.span_id === null ? null : String(row.span_id),
        ...(row.event_name === null ? {} : { eventName: String(row.event_name) }),
      })
      if (logBatch.length >= 5_000) {
        index(db, [], logBatch)
        logBatch = []
      }
    }
    index(db, [], logBatch)
    db.exec('COMMIT')
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK')
    throw error
  }
}
