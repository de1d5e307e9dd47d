import { createHash } from 'node:crypto'
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import { roundUsd } from '../core/usd.js'
import type { CallTokens, LlmCall, PricedCall } from '../llm/llm-call.js'
import { readLogCall } from '../llm/read-log.js'
import { readSpanCall, spanLabels } from '../llm/read-span.js'
import { type CallPlace, placeCalls, placedCall, type TraceNode } from '../llm/trace-calls.js'
import type { CostLabels } from './metrics.js'
import type { LogRecordRow } from './otlp-decode.js'
import type { AttributeValue, SpanRecord } from './span-record.js'
import type { IndexedCall, IngestIndex, TraceCost } from './span-store.js'
import { traceKey } from './trace-key.js'

/**
 * USD of a call: its own cost, else tokens x price; null when the model is unknown. Injected by whoever
 * starts the store (the cost module's price tables), so the store never imports the cost module.
 */
export type CallPricer = (call: PricedCall) => number | null

export interface LlmIndexOptions {
  /**
   * Called for each newly stored LLM call that counts towards spend, with its USD (span `llm.cost`, else
   * tokens x price); the collector adds it to `goblin_cost_usd_total`.
   */
  onCost?: (labels: CostLabels, usd: number) => void
  /** Prices a call (see `CallPricer`); `goblin collector serve` passes the cost module's price tables. */
  price: CallPricer
}

export const LLM_CALLS_TABLE = 'llm_calls'

/** Where a row came from: a span, or a log event (a coding agent's `api_request`, ...). */
const FROM_SPAN = 0
const FROM_LOG = 1

/**
 * Names (models, providers, goblins, tasks, services, sessions) are stored once in `llm_names` and
 * referenced by id, and trace/span ids as bytes. A log event's call has no span: its `span_id` is a hash of
 * the record, so a re-delivered record is stored once. `own_labels` tells which of model, goblin, task and
 * session the call named itself (`OWN_*` bits); the others are inherited from ancestor spans; `aggregate` marks a call with calls below it in its trace (left out of
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
  own_labels INTEGER NOT NULL,
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
`

/**
 * The indexes, created on every writable open (a store of the same layout gains new ones in place).
 * `llm_calls_unmatched` holds only the calls still waiting for a twin, by key, source and time.
 */
const INDEXES = `
CREATE INDEX IF NOT EXISTS llm_calls_by_start ON llm_calls (start_ns);
DROP INDEX IF EXISTS llm_calls_by_match;
CREATE INDEX IF NOT EXISTS llm_calls_unmatched ON llm_calls (match_key, source, start_ns)
  WHERE match_key IS NOT NULL AND matched = 0;
CREATE INDEX IF NOT EXISTS llm_calls_report ON llm_calls (aggregate, model, provider, goblin, task, service,
  session, start_ns, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens,
  cache_creation_1h_tokens, metered, cost);
`

/** `own_labels` bits: the labels a call named itself, which an ancestor's never replace. */
const OWN_MODEL = 1
const OWN_GOBLIN = 2
const OWN_TASK = 4
const OWN_SESSION = 8

/** The trace id of a log call that names no trace. */
const NO_TRACE = new Uint8Array(16)

/** A call stored in this batch, counted on `/metrics` once its place in the trace is known. */
interface NewCall {
  traceHex: string
  traceId: Uint8Array
  spanId: Uint8Array
  spanHex: string | null
  call: LlmCall
  /** The USD written as `counted_usd` with the row (null: nothing to count); undefined until it is known. */
  usd?: number | null
}

/** An LLM call read from a span of the batch, not yet stored. */
interface SpanCall {
  span: SpanRecord
  trace: BatchTrace
  call: LlmCall
  key: string | null
}

/** The spans of one trace in a batch, and the calls read from them. */
interface BatchTrace {
  hex: string
  id: Uint8Array
  /** The batch's spans of this trace (their nodes are built only for a trace placed from the batch). */
  spans: SpanRecord[]
  /** The calls read from the batch's spans of this trace. */
  read: SpanCall[]
  /** The calls' places when every stored span of the trace is in this batch (`wholeTraceInBatch`). */
  places?: Map<string, CallPlace>
  /** Calls of this trace stored by this batch. */
  stored: number
  /** A call of this trace took a stored log event's place: its counted USD came from the store. */
  tookLog: boolean
}

/**
 * The cost index of the span store: one `llm_calls` row per LLM call read from a span (`readSpanCall`) or
 * a log event (`readLogCall`), written in the same transaction as the batch. After each batch, every
 * touched trace that holds calls is walked again (`placeCalls`): a call with calls below it, at any depth
 * and whichever arrived first, is an aggregate; a call naming no model inherits its nearest ancestor's.
 * A trace whose spans all arrived in this batch is placed from the batch itself before its calls are
 * written, so each row is written once with its place and counted USD; others are walked from the store.
 * The same call seen as a span and as a log event (same service and input tokens, starts within 60 s) is
 * kept once, as the span, with the log event's counts, and its own cost when the span has none.
 */
export function llmCallsIndex(options: LlmIndexOptions): IngestIndex {
  const price = options.price
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
    const insert = (
      traceHex: string,
      traceId: Uint8Array,
      spanId: Uint8Array,
      spanHex: string | null,
      source: number,
      startNs: bigint,
      call: LlmCall,
      key: string | null,
      place: CallPlace | undefined,
    ): boolean => {
      const placed = placedCall(call, place)
      // A log call is never placed, and a placed span call's USD is known now: both are counted with the row.
      const usd =
        options.onCost && (place !== undefined || source === FROM_LOG)
          ? countedUsd(placed, place, price)
          : undefined
      const inserted = st.insert.run(
        traceId,
        spanId,
        source,
        startNs,
        nameId(placed.model),
        ownLabels(call),
        nameId(call.provider),
        nameId(placed.goblin),
        nameId(placed.task),
        nameId(call.service),
        nameId(placed.session),
        ...tokenColumns(call.tokens),
        call.metered ? 1 : 0,
        call.ownCostUsd,
        key,
        place?.aggregate ? 1 : 0,
        usd ?? null,
      )
      if (Number(inserted.changes) === 0) return false
      stored.push({ traceHex, traceId, spanId, spanHex, call, usd })
      return true
    }
    const traces = new Map<string, BatchTrace>()
    const calls: SpanCall[] = []
    for (const span of spans) {
      let trace = traces.get(span.traceId)
      if (!trace) {
        trace = {
          hex: span.traceId,
          id: idBytes(span.traceId),
          spans: [],
          read: [],
          stored: 0,
          tookLog: false,
        }
        traces.set(span.traceId, trace)
      }
      trace.spans.push(span)
      const call = readSpanCall(span)
      if (!call) continue
      const spanCall = { span, trace, call, key: twinKey(call) }
      trace.read.push(spanCall)
      calls.push(spanCall)
    }
    for (const trace of traces.values()) {
      if (trace.read.length > 0 && wholeTraceInBatch(st, trace)) {
        trace.places = placeCalls(
          trace.spans.map(traceNode),
          trace.read.map((c) => c.span.spanId),
        )
      }
    }
    const mayHaveTwin = keysWithWaitingLogs(st, calls)
    for (const { span, trace, call, key } of calls) {
      const startNs = BigInt(span.startTimeUnixNano)
      const spanId = idBytes(span.spanId)
      const place = trace.places?.get(span.spanId)
      if (!insert(trace.hex, trace.id, spanId, span.spanId, FROM_SPAN, startNs, call, key, place)) continue
      trace.stored++
      const twin = key !== null && mayHaveTwin.has(key) ? findTwin(st, key, FROM_LOG, startNs) : undefined
      if (twin) {
        // Seen first as a log event: the span takes its place, with the event's counts, cost and session.
        st.takeLog.run(twin.trace_id, twin.span_id, trace.id, spanId)
        st.remove.run(twin.trace_id, twin.span_id)
        stored.pop()
        trace.tookLog = true
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
          call.session,
          twin.trace_id,
          twin.span_id,
        )
        continue
      }
      const traceHex = log.traceId ?? ''
      insert(
        traceHex,
        log.traceId ? idBytes(log.traceId) : NO_TRACE,
        logCallId(log),
        null,
        FROM_LOG,
        startNs,
        call,
        key,
        undefined,
      )
    }
    // USD counted on /metrics for calls that turned out to be aggregates: the counter cannot go down, so
    // later calls of the same labels pay it back before they add anything.
    const uncount = (labels: CostLabels, usd: number) => {
      const key = labelKey(labels)
      debt.set(key, (debt.get(key) ?? 0) + usd)
    }
    const placed = new Map<string, CallPlace>()
    // Calls of earlier batches that had no model, and so no price, until this batch's spans gave them one.
    const modelled: Array<{ traceId: Uint8Array; spanId: Uint8Array; key: string }> = []
    for (const [hex, trace] of traces) {
      if (trace.places && trace.stored > 0 && !trace.tookLog) {
        for (const [spanHex, place] of trace.places) placed.set(`${hex}/${spanHex}`, place)
      } else if (st.traceHasCalls.get(trace.id) !== undefined) {
        placeStoredTrace(st, hex, trace.id, nameId, uncount, placed, modelled)
      }
    }
    if (!options.onCost) return
    // Summed per label set first: one counter increment per labels and batch instead of one per call.
    const batchUsd = new Map<string, { labels: CostLabels; usd: number }>()
    const add = (labels: CostLabels, usd: number) => {
      const key = labelKey(labels)
      const sum = batchUsd.get(key)
      if (sum) sum.usd += usd
      else batchUsd.set(key, { labels, usd })
    }
    const fresh = new Set(stored.map((c) => `${c.traceHex}/${c.spanHex}`))
    for (const { traceId, spanId, key } of modelled) {
      if (fresh.has(key)) continue
      const usd = countedUsd(
        pricedCall(st.callRow.get(traceId, spanId) as unknown as CallRow),
        undefined,
        price,
      )
      if (usd === null) continue
      st.counted.run(usd, traceId, spanId)
      add(st.labels.get(traceId, spanId) as unknown as CostLabels, usd)
    }
    for (const { traceHex, traceId, spanId, spanHex, call, usd: countedAtInsert } of stored) {
      // Log calls are never placed: they keep their own labels and are never aggregates.
      const place = spanHex === null ? undefined : placed.get(`${traceHex}/${spanHex}`)
      if (place?.aggregate) continue
      const counted = placedCall(call, place)
      let usd = countedAtInsert
      if (usd === undefined) {
        usd = countedUsd(counted, place, price)
        if (usd !== null) st.counted.run(usd, traceId, spanId)
      }
      if (usd === null) continue
      add({ goblin: counted.goblin ?? '', model: counted.model ?? '', provider: counted.provider ?? '' }, usd)
    }
    for (const [key, { labels, usd }] of batchUsd) {
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
      if (isReadOnly(db)) return
      if (version === 'current') {
        // Indexes added since the table's layout: built in place, no rebuild.
        db.exec(INDEXES)
        return
      }
      // The index is derived data: an earlier layout is dropped and rebuilt from the stored spans and logs.
      if (version === 'old') db.exec('DROP TABLE llm_calls')
      db.exec(SCHEMA)
      db.exec(INDEXES)
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
    traceCalls: indexedTraceCalls,
  }
}

/**
 * The USD `/metrics` counts for a call (its labels placed): none for an aggregate, else own cost or tokens x
 * price.
 */
function countedUsd(call: PricedCall, place: CallPlace | undefined, price: CallPricer): number | null {
  if (place?.aggregate) return null
  const usd = call.ownCostUsd ?? price(call)
  return usd === null || usd <= 0 ? null : usd
}

/**
 * True when every stored span of the trace came in this batch (the trace's span count, already updated
 * by the batch, equals the batch's): the batch alone then decides the calls' places.
 */
function wholeTraceInBatch(st: Statements, trace: BatchTrace): boolean {
  const row = st.traceSpanCount.get(trace.hex) as { n: number } | undefined
  return row !== undefined && Number(row.n) === trace.spans.length
}

function traceNode(span: SpanRecord): TraceNode {
  return { spanId: span.spanId, parentSpanId: span.parentSpanId, labels: spanLabels(span) }
}

/** The `own_labels` bits of the labels a call names itself. */
function ownLabels(call: LlmCall): number {
  return (
    (call.model === null ? 0 : OWN_MODEL) |
    (call.goblin === null ? 0 : OWN_GOBLIN) |
    (call.task === null ? 0 : OWN_TASK) |
    (call.session === null ? 0 : OWN_SESSION)
  )
}

/**
 * The twin keys of the batch's span calls that have a log event waiting within the window of the key's
 * calls: one seek per key instead of two per call, since a span's twin is almost always absent (only
 * coding agents send both). No log row is added while the batch's spans are matched, so the answer holds.
 */
function keysWithWaitingLogs(st: Statements, calls: SpanCall[]): Set<string> {
  const ranges = new Map<string, { from: bigint; to: bigint }>()
  for (const { span, key } of calls) {
    if (key === null) continue
    const start = BigInt(span.startTimeUnixNano)
    const range = ranges.get(key)
    if (!range) ranges.set(key, { from: start, to: start })
    else if (start < range.from) range.from = start
    else if (start > range.to) range.to = start
  }
  const keys = new Set<string>()
  for (const [key, { from, to }] of ranges) {
    if (st.twinAfter.get(key, FROM_LOG, from - TWIN_WINDOW_NS, to + TWIN_WINDOW_NS)) keys.add(key)
  }
  return keys
}

/** A call's token counts in the order of the `llm_calls` columns, input_tokens to reasoning_tokens. */
function tokenColumns(t: CallTokens): number[] {
  return [t.input, t.output, t.cacheRead, t.cacheWrite5m, t.cacheWrite1h, t.reasoning]
}

function labelKey(labels: CostLabels): string {
  return JSON.stringify([labels.goblin, labels.model, labels.provider])
}

interface TwinRow {
  trace_id: Uint8Array
  span_id: Uint8Array
  start_ns: bigint
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

/**
 * The nearest unmatched call of the other source with the same key, within the window: the closest one
 * starting at or before `startNs` and the closest after, each one seek in `llm_calls_unmatched`, whose rows
 * are only the calls still waiting for a twin (a busy service's spans, all of one key, never match a log
 * event that is not there: the seek finds no row of that source at once).
 */
function findTwin(st: Statements, key: string, source: number, startNs: bigint): TwinRow | undefined {
  const before = st.twinBefore.get(key, source, startNs - TWIN_WINDOW_NS, startNs) as TwinRow | undefined
  const after = st.twinAfter.get(key, source, startNs, startNs + TWIN_WINDOW_NS) as TwinRow | undefined
  if (!before || !after) return before ?? after
  return startNs - before.start_ns <= after.start_ns - startNs ? before : after
}

interface Statements {
  name: StatementSync
  insert: StatementSync
  twinBefore: StatementSync
  twinAfter: StatementSync
  remove: StatementSync
  mergeLog: StatementSync
  takeLog: StatementSync
  traceHasCalls: StatementSync
  traceSpanCount: StatementSync
  traceNodes: StatementSync
  traceCalls: StatementSync
  labels: StatementSync
  counted: StatementSync
  callRow: StatementSync
  place: StatementSync
}

/** The partial index `findTwin` seeks: a row leaves it once matched. */
const TWIN_WHERE = 'match_key = ? AND source = ? AND matched = 0'

/** The nearest waiting call of a key and source in a time range, earliest (ASC) or latest (DESC) first. */
export function twinSql(order: 'ASC' | 'DESC'): string {
  return `SELECT trace_id, span_id, start_ns FROM llm_calls
    WHERE ${TWIN_WHERE} AND start_ns BETWEEN ? AND ? ORDER BY start_ns ${order} LIMIT 1`
}

function prepare(db: DatabaseSync): Statements {
  const twin = (order: 'ASC' | 'DESC') => {
    const stmt = db.prepare(twinSql(order))
    stmt.setReadBigInts(true)
    return stmt
  }
  return {
    name: db.prepare(
      'INSERT INTO llm_names (name) VALUES (?) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id',
    ),
    insert: db.prepare(
      `INSERT INTO llm_calls (trace_id, span_id, source, start_ns, model, own_labels, provider, goblin, task, service,
         session, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cache_creation_1h_tokens,
         reasoning_tokens, metered, cost, match_key, aggregate, counted_usd)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (trace_id, span_id) DO NOTHING`,
    ),
    twinBefore: twin('DESC'),
    twinAfter: twin('ASC'),
    remove: db.prepare('DELETE FROM llm_calls WHERE trace_id = ? AND span_id = ?'),
    // A log event's session replaces one the span only inherited, and is the row's own from then on.
    mergeLog: db.prepare(
      `UPDATE llm_calls SET input_tokens = ?, output_tokens = ?, cache_read_tokens = ?, cache_creation_tokens = ?,
         cache_creation_1h_tokens = ?, reasoning_tokens = ?, metered = 1, cost = coalesce(cost, ?),
         session = CASE WHEN own_labels & ${OWN_SESSION} THEN session ELSE coalesce(?, session) END,
         own_labels = own_labels | CASE WHEN ? IS NULL THEN 0 ELSE ${OWN_SESSION} END, matched = 1
       WHERE trace_id = ? AND span_id = ?`,
    ),
    // The row starts unplaced again (aggregate 0): the trace is then walked from the store, which sees it
    // turn aggregate, if it is one, and pays back the USD the log event was counted with.
    takeLog: db.prepare(
      `UPDATE llm_calls AS c SET input_tokens = l.input_tokens, output_tokens = l.output_tokens,
         cache_read_tokens = l.cache_read_tokens, cache_creation_tokens = l.cache_creation_tokens,
         cache_creation_1h_tokens = l.cache_creation_1h_tokens, reasoning_tokens = l.reasoning_tokens,
         cost = coalesce(c.cost, l.cost), counted_usd = l.counted_usd, matched = 1, aggregate = 0,
         session = CASE WHEN c.own_labels & ${OWN_SESSION} THEN c.session ELSE coalesce(l.session, c.session) END,
         own_labels = c.own_labels | (l.own_labels & ${OWN_SESSION})
       FROM (SELECT * FROM llm_calls WHERE trace_id = ? AND span_id = ?) AS l
       WHERE c.trace_id = ? AND c.span_id = ?`,
    ),
    traceHasCalls: db.prepare(
      `SELECT 1 AS x FROM llm_calls WHERE trace_id = ? AND source = ${FROM_SPAN} LIMIT 1`,
    ),
    traceSpanCount: db.prepare('SELECT span_count AS n FROM traces WHERE trace_id = ?'),
    traceNodes: db.prepare(
      `SELECT s.span_id, s.parent_span_id, s.attributes, s.resource_id, r.json AS resource
       FROM spans s JOIN resources r ON r.id = s.resource_id WHERE s.trace_key = ? AND s.trace_id = ?`,
    ),
    traceCalls: db.prepare(
      `SELECT lower(hex(span_id)) AS span_id, aggregate, model, goblin, task, session, own_labels, counted_usd
       FROM llm_calls WHERE trace_id = ? AND source = ${FROM_SPAN}`,
    ),
    labels: db.prepare(
      `SELECT coalesce(g.name, '') AS goblin, coalesce(m.name, '') AS model, coalesce(p.name, '') AS provider
       FROM llm_calls c LEFT JOIN llm_names g ON g.id = c.goblin LEFT JOIN llm_names m ON m.id = c.model
         LEFT JOIN llm_names p ON p.id = c.provider WHERE c.trace_id = ? AND c.span_id = ?`,
    ),
    counted: db.prepare('UPDATE llm_calls SET counted_usd = ? WHERE trace_id = ? AND span_id = ?'),
    callRow: db.prepare(callRowsSql('c.trace_id = ? AND c.span_id = ?')),
    place: db.prepare(
      `UPDATE llm_calls SET aggregate = ?, model = ?, goblin = ?, task = ?, session = ?
       WHERE trace_id = ? AND span_id = ?`,
    ),
  }
}

/**
 * Walks one trace's stored spans and updates its calls' aggregate flags and inherited labels; a call
 * counted on `/metrics` by an earlier batch that is now an aggregate is handed to `onUncounted` with the
 * labels it was counted under, and one that had no model until now (nothing counted) goes to `modelled`.
 */
function placeStoredTrace(
  st: Statements,
  hex: string,
  traceId: Uint8Array,
  nameId: (name: string | null) => number | null,
  onUncounted: (labels: CostLabels, usd: number) => void,
  placed: Map<string, CallPlace>,
  modelled: Array<{ traceId: Uint8Array; spanId: Uint8Array; key: string }>,
): void {
  // A trace's spans mostly share a few resources: each is parsed once.
  const resources = new Map<number, Record<string, AttributeValue>>()
  const resourceOf = (id: number, json: string) => {
    let resource = resources.get(id)
    if (!resource) {
      resource = JSON.parse(json) as Record<string, AttributeValue>
      resources.set(id, resource)
    }
    return resource
  }
  const nodes = (st.traceNodes.all(traceKey(hex), hex) as Array<Record<string, unknown>>).map((row) => ({
    spanId: String(row.span_id),
    parentSpanId: row.parent_span_id === null ? null : String(row.parent_span_id),
    labels: spanLabels({
      attributes: JSON.parse(String(row.attributes)) as Record<string, AttributeValue>,
      resource: resourceOf(Number(row.resource_id), String(row.resource)),
    }),
  }))
  const calls = st.traceCalls.all(traceId) as Array<{
    span_id: string
    aggregate: number
    model: number | null
    goblin: number | null
    task: number | null
    session: number | null
    own_labels: number
    counted_usd: number | null
  }>
  const places = placeCalls(
    nodes,
    calls.map((c) => c.span_id),
  )
  for (const call of calls) {
    const place = places.get(call.span_id)
    if (!place) continue
    placed.set(`${hex}/${call.span_id}`, place)
    const own = Number(call.own_labels)
    const label = (bit: number, stored: number | null, inherited: string | null) =>
      own & bit ? (stored === null ? null : Number(stored)) : nameId(inherited)
    const aggregate = place.aggregate ? 1 : 0
    const row = [
      aggregate,
      label(OWN_MODEL, call.model, place.inherited.model),
      label(OWN_GOBLIN, call.goblin, place.inherited.goblin),
      label(OWN_TASK, call.task, place.inherited.task),
      label(OWN_SESSION, call.session, place.inherited.session),
    ]
    const before = [call.aggregate, call.model, call.goblin, call.task, call.session].map((v) =>
      v === null ? null : Number(v),
    )
    if (row.every((value, i) => value === before[i])) continue
    const spanId = idBytes(call.span_id)
    // Read before the row changes: the USD was counted under the labels the row had then.
    if (aggregate === 1 && Number(call.aggregate) === 0 && call.counted_usd !== null) {
      onUncounted(st.labels.get(traceId, spanId) as unknown as CostLabels, Number(call.counted_usd))
    }
    st.place.run(...row, traceId, spanId)
    if (!place.aggregate && call.model === null && row[1] !== null && call.counted_usd === null) {
      modelled.push({ traceId, spanId, key: `${hex}/${call.span_id}` })
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
 * unpriced; a trace without LLM calls is absent. The rows are found by trace id (the table's unique
 * index), never by the report index's `aggregate` prefix, which would scan every counted call.
 */
export function traceCosts(db: DatabaseSync, traceIds: string[], price: CallPricer): Map<string, TraceCost> {
  const costs = new Map<string, TraceCost>()
  if (traceIds.length === 0 || !tableExists(db)) return costs
  const rows = db
    .prepare(traceCostsSql(traceIds.length))
    .all(...traceIds.map(idBytes)) as unknown as CallRow[]
  for (const row of rows) {
    const call = pricedCall(row)
    const usd = call.ownCostUsd ?? (call.metered ? price(call) : null)
    const cost = costs.get(row.trace_id) ?? { usd: 0, calls: 0, unpricedCalls: 0 }
    cost.calls++
    if (usd === null) cost.unpricedCalls++
    else cost.usd = roundUsd(cost.usd + usd)
    costs.set(row.trace_id, cost)
  }
  return costs
}

/**
 * One trace's LLM calls as the index holds them, aggregates included and marked: the calls `traceCosts`
 * sums for it, with the counts and own cost a matched log event gave the span, and the calls only a log
 * event reported. Empty when the trace has none or the store has no index.
 */
export function indexedTraceCalls(db: DatabaseSync, traceId: string): IndexedCall[] {
  if (!tableExists(db)) return []
  const rows = db.prepare(TRACE_CALLS_SQL).all(idBytes(traceId)) as unknown as CallRow[]
  return rows.map((row) => ({
    ...pricedCall(row),
    spanId: row.span_id,
    onSpan: Number(row.source) === FROM_SPAN,
    aggregate: Number(row.aggregate) === 1,
  }))
}

interface CallRow {
  trace_id: string
  span_id: string
  source: number
  aggregate: number
  model: string | null
  provider: string | null
  input_tokens: number
  output_tokens: number
  cache_read_tokens: number
  cache_creation_tokens: number
  cache_creation_1h_tokens: number
  reasoning_tokens: number
  metered: number
  cost: number | null
}

/** The `llm_calls` rows matching `where` (over alias `c`), with their names. */
function callRowsSql(where: string): string {
  return `SELECT lower(hex(c.trace_id)) AS trace_id, lower(hex(c.span_id)) AS span_id, c.source, c.aggregate,
      m.name AS model, p.name AS provider, c.input_tokens, c.output_tokens, c.cache_read_tokens,
      c.cache_creation_tokens, c.cache_creation_1h_tokens, c.reasoning_tokens, c.metered, c.cost
    FROM llm_calls c LEFT JOIN llm_names m ON m.id = c.model LEFT JOIN llm_names p ON p.id = c.provider
    WHERE ${where}`
}

/** The query `indexedTraceCalls` runs (exported for its query-plan test). */
export const TRACE_CALLS_SQL = callRowsSql('c.trace_id = ?')

/** The query `traceCosts` runs for `n` trace ids (exported for its query-plan test). */
export function traceCostsSql(n: number): string {
  // `+c.aggregate`: a plain `aggregate = 0` lets the planner pick llm_calls_report and scan its counted rows.
  return callRowsSql(`+c.aggregate = 0 AND c.trace_id IN (${Array.from({ length: n }, () => '?').join(',')})`)
}

function pricedCall(row: CallRow): PricedCall {
  return {
    model: row.model,
    provider: row.provider,
    tokens: {
      input: Number(row.input_tokens),
      output: Number(row.output_tokens),
      cacheRead: Number(row.cache_read_tokens),
      cacheWrite5m: Number(row.cache_creation_tokens),
      cacheWrite1h: Number(row.cache_creation_1h_tokens),
      reasoning: Number(row.reasoning_tokens),
    },
    metered: Number(row.metered) === 1,
    ownCostUsd: row.cost === null ? null : Number(row.cost),
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
  return columns.some((c) => c.name === 'own_labels') ? 'current' : 'old'
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
