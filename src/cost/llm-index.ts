import { statSync } from 'node:fs'
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { CostLabels } from '../collector/metrics.js'
import type { AttributeValue, SpanRecord } from '../collector/span-record.js'
import type { IngestIndex } from '../collector/span-store.js'
import { goblinHome } from '../core/paths.js'
import { extractLlmUsage, type LlmUsage } from './llm-usage.js'
import type { PriceBook } from './price-book.js'
import { loadTablePrices } from './price-sources.js'
import { importedPricesPath } from './price-store.js'
import { costOfUsage } from './usage-cost.js'

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

/**
 * Names (models, providers, goblins, tasks, services) are stored once in `llm_names` and referenced by id,
 * and trace/span ids as bytes. `llm_calls_report` covers every column a report reads, in the order reports
 * group by (model, provider, goblin, ...): a report scans that narrow index instead of the table, and
 * `--by model,goblin` aggregates as it streams, without sorting.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS llm_names (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS llm_calls (
  trace_id BLOB NOT NULL,
  span_id BLOB NOT NULL,
  parent_span_id BLOB,
  start_ns INTEGER NOT NULL,
  model INTEGER,
  provider INTEGER,
  goblin INTEGER,
  task INTEGER,
  service INTEGER,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cache_read_tokens INTEGER NOT NULL,
  cache_creation_tokens INTEGER NOT NULL,
  cost REAL,
  has_llm_children INTEGER NOT NULL DEFAULT 0,
  UNIQUE (trace_id, span_id)
);
CREATE INDEX IF NOT EXISTS llm_calls_by_parent ON llm_calls (trace_id, parent_span_id);
CREATE INDEX IF NOT EXISTS llm_calls_by_start ON llm_calls (start_ns);
CREATE INDEX IF NOT EXISTS llm_calls_report ON llm_calls (has_llm_children, model, provider, goblin, task, service,
  start_ns, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost);
`

interface Statements {
  name: StatementSync
  insert: StatementSync
  isStored: StatementSync
  hasChildren: StatementSync
  markHasChildren: StatementSync
}

/**
 * The cost index of the span store: one `llm_calls` row per LLM span (keyed by trace and span id), written
 * in the same transaction as the spans. A row whose span has LLM children is flagged `has_llm_children`
 * (whichever of parent and child arrives first): such a parent carries its children's aggregate usage, so
 * reports and budgets leave it out of sums. Duplicate deliveries of a span are stored once.
 */
export function llmCallsIndex(options: LlmIndexOptions = {}): IngestIndex {
  // Lazy: the price tables are read on the first call that needs a price.
  const price = options.price ?? tablePricer(options.home ?? goblinHome())
  const statements = new WeakMap<DatabaseSync, Statements>()
  const prepared = (db: DatabaseSync): Statements => {
    let s = statements.get(db)
    if (!s) {
      s = {
        name: db.prepare(
          'INSERT INTO llm_names (name) VALUES (?) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id',
        ),
        insert: db.prepare(
          `INSERT INTO llm_calls (trace_id, span_id, parent_span_id, start_ns, goblin, task, service, model, provider,
             input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost)
           VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (trace_id, span_id) DO NOTHING`,
        ),
        isStored: db.prepare('SELECT 1 AS x FROM llm_calls WHERE trace_id = ? AND span_id = ?'),
        hasChildren: db.prepare(
          'SELECT 1 AS x FROM llm_calls WHERE trace_id = ? AND parent_span_id = ? LIMIT 1',
        ),
        markHasChildren: db.prepare(
          'UPDATE llm_calls SET has_llm_children = 1 WHERE trace_id = ? AND span_id = ?',
        ),
      }
      statements.set(db, s)
    }
    return s
  }
  const index = (db: DatabaseSync, spans: SpanRecord[]): void => {
    const s = prepared(db)
    // Ids are cached for this batch only: a rolled-back batch takes its new names with it.
    const ids = new Map<string, number>()
    const nameId = (name: string | null): number | null => {
      if (name === null) return null
      let id = ids.get(name)
      if (id === undefined) {
        id = Number((s.name.get(name) as { id: number }).id)
        ids.set(name, id)
      }
      return id
    }
    for (const span of spans) {
      const usage = extractLlmUsage(span)
      if (!usage) continue
      const traceId = idBytes(span.traceId)
      const spanId = idBytes(span.spanId)
      const parentId = span.parentSpanId === null ? null : idBytes(span.parentSpanId)
      const inserted = s.insert.run(
        traceId,
        spanId,
        parentId,
        BigInt(span.startTimeUnixNano),
        nameId(usage.goblin),
        nameId(usage.task),
        nameId(usage.service),
        nameId(usage.model),
        nameId(usage.provider),
        usage.inputTokens,
        usage.outputTokens,
        usage.cacheReadTokens,
        usage.cacheCreationTokens,
        usage.cost,
      )
      if (Number(inserted.changes) === 0) continue
      // A parent already stored has counted this child's usage in its aggregate: flag it, and count the child no more.
      const parentStored = parentId !== null && s.isStored.get(traceId, parentId) !== undefined
      if (parentStored) s.markHasChildren.run(traceId, parentId)
      const childrenStored = s.hasChildren.get(traceId, spanId) !== undefined
      if (childrenStored) s.markHasChildren.run(traceId, spanId)
      if (options.onCost && !parentStored && !childrenStored) {
        const usd = usage.cost ?? price(usage)
        if (usd !== null && usd > 0) {
          options.onCost(
            { goblin: usage.goblin ?? '', model: usage.model ?? '', provider: usage.provider ?? '' },
            usd,
          )
        }
      }
    }
  }
  return {
    name: LLM_CALLS_TABLE,
    setup(db) {
      const version = indexVersion(db)
      if (version === 'current' || isReadOnly(db)) return
      // The index is derived data: an earlier layout is dropped and rebuilt from the stored spans.
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

/**
 * The USD each trace's LLM calls cost (`llm.cost`, else tokens x price), counted as reports count them:
 * aggregate parents left out. Calls of unknown models add nothing; a trace without LLM calls is absent.
 */
export function traceCosts(
  db: DatabaseSync,
  traceIds: string[],
  price: (usage: LlmUsage) => number | null,
): Map<string, number> {
  const costs = new Map<string, number>()
  if (traceIds.length === 0 || !tableExists(db)) return costs
  const rows = db
    .prepare(
      `SELECT lower(hex(c.trace_id)) AS trace_id, m.name AS model, p.name AS provider, c.input_tokens,
         c.output_tokens, c.cache_read_tokens, c.cache_creation_tokens, c.cost
       FROM llm_calls c LEFT JOIN llm_names m ON m.id = c.model LEFT JOIN llm_names p ON p.id = c.provider
       WHERE c.has_llm_children = 0 AND c.trace_id IN (${traceIds.map(() => '?').join(',')})`,
    )
    .all(...traceIds.map(idBytes)) as Array<Record<string, string | number | null>>
  for (const row of rows) {
    const usage: LlmUsage = {
      model: row.model as string | null,
      provider: row.provider as string | null,
      inputTokens: Number(row.input_tokens),
      outputTokens: Number(row.output_tokens),
      cacheReadTokens: Number(row.cache_read_tokens),
      cacheCreationTokens: Number(row.cache_creation_tokens),
      cost: row.cost === null ? null : Number(row.cost),
      goblin: null,
      task: null,
      service: '',
    }
    const usd = usage.cost ?? price(usage)
    if (usd === null) continue
    const traceId = String(row.trace_id)
    costs.set(traceId, (costs.get(traceId) ?? 0) + usd)
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

/** `current` (llm_calls with llm_names), `none`, or `old` (an llm_calls of an earlier layout, rebuilt on setup). */
function indexVersion(db: DatabaseSync): 'current' | 'none' | 'old' {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('llm_calls', 'llm_names')")
    .all() as Array<{ name: string }>
  if (tables.length === 2) return 'current'
  return tables.some((t) => t.name === 'llm_calls') ? 'old' : 'none'
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
 * Fills a new `llm_calls` table from spans stored before the index existed, so a store written by an older
 * collector reports its history too. Only spans whose attributes mention GenAI usage or `llm.cost` are read.
 */
function backfill(db: DatabaseSync, index: (db: DatabaseSync, spans: SpanRecord[]) => void): void {
  const hasSpans =
    db.prepare("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'spans'").get() !== undefined
  if (!hasSpans) return
  const select = db.prepare(
    `SELECT s.trace_id, s.span_id, s.parent_span_id, s.name, s.kind, s.start_ns, s.end_ns, s.status_code, s.service,
        s.attributes, r.json AS resource
     FROM spans s JOIN resources r ON r.id = s.resource_id
     WHERE s.attributes LIKE '%gen\\_ai.%' ESCAPE '\\' OR s.attributes LIKE '%llm.cost%'`,
  )
  select.setReadBigInts(true)
  db.exec('BEGIN IMMEDIATE')
  try {
    let batch: SpanRecord[] = []
    for (const row of select.iterate() as Iterable<Record<string, unknown>>) {
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
        index(db, batch)
        batch = []
      }
    }
    index(db, batch)
    db.exec('COMMIT')
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK')
    throw error
  }
}
