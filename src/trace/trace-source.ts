import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { SpanRecord } from '../collector/span-record.js'
import {
  type IndexedCall,
  openSpanStore,
  SPAN_DB_FILE,
  type SpanStore,
  type StoredSpan,
  type TraceQuery,
} from '../collector/span-store.js'
import { isGoblinError } from '../core/errors.js'
import { homePaths } from '../core/paths.js'
import type { BackendTarget } from './endpoints.js'
import { TraceClient, type TraceListRow, toListRow, traceNotFound } from './trace-client.js'

/** `BackendTarget.source` of a read from the store file because the local collector did not answer. */
export const STORE_FILE_SOURCE = 'store file'

/** What the trace commands read: a backend's Tempo-shaped HTTP API, or the embedded store's file. */
export interface TraceSource {
  readonly target: BackendTarget
  search(query: TraceQuery): Promise<TraceListRow[]>
  getTrace(traceId: string): Promise<SpanRecord[]>
  /** The cost index's LLM calls of a trace (what `trace list` and `cost report` price); null where none serves them. */
  traceCalls(traceId: string): Promise<IndexedCall[] | null>
  spansAfter(cursor: number | null, limit?: number): Promise<{ spans: StoredSpan[]; cursor: number }>
}

/** The local embedded store, opened read-only (the collector may be writing it: WAL lets both). */
export class StoreTraceSource implements TraceSource {
  readonly target: BackendTarget
  private readonly store: SpanStore

  private constructor(store: SpanStore, why: string) {
    this.store = store
    this.target = { kind: 'embedded', endpoint: store.path, source: why }
  }

  /** Opens GOBLIN_HOME's span store with the cost index (priced as the collector prices), or null when none exists. */
  static async open(home: string, why: string): Promise<StoreTraceSource | null> {
    const dir = homePaths.spans(home)
    if (!existsSync(join(dir, SPAN_DB_FILE))) return null
    // Loaded only when the file is read: the HTTP path (the usual one) never needs the index or the prices.
    const [{ llmCallsIndex }, { tablePricer }] = await Promise.all([
      import('../collector/llm-calls.js'),
      import('../cost/table-pricer.js'),
    ])
    const store = await openSpanStore({
      dir,
      readonly: true,
      indexes: [llmCallsIndex({ price: tablePricer(home) })],
    })
    return new StoreTraceSource(store, why)
  }

  async search(query: TraceQuery): Promise<TraceListRow[]> {
    return this.store.search(query).map(toListRow)
  }

  async getTrace(traceId: string): Promise<SpanRecord[]> {
    const spans = this.store.getTrace(traceId)
    if (spans.length === 0) throw traceNotFound(traceId, this.store.path)
    return spans
  }

  async traceCalls(traceId: string): Promise<IndexedCall[] | null> {
    return this.store.traceCalls(traceId)
  }

  async spansAfter(cursor: number | null, limit = 1_000): Promise<{ spans: StoredSpan[]; cursor: number }> {
    if (cursor === null) return { spans: [], cursor: this.store.lastSeq() }
    const spans = this.store.spansAfter(cursor, limit)
    return { spans, cursor: spans.at(-1)?.seq ?? cursor }
  }

  /** Stored trace ids with this prefix (lowercase hex), at most `limit`. */
  traceIdsWithPrefix(prefix: string, limit: number): string[] {
    return this.store.traceIdsWithPrefix(prefix, limit)
  }

  close(): void {
    this.store.close()
  }
}

/**
 * Whether a target is this machine's embedded collector, whose store file under GOBLIN_HOME holds what it
 * answers: found by default or from the running stack's state, not an endpoint someone named.
 */
export function isLocalEmbedded(target: BackendTarget): boolean {
  return target.kind === 'embedded' && (target.source === 'default' || target.source === 'running stack')
}

/**
 * Runs `read` against the target's HTTP API; when the local embedded collector does not answer, against its
 * store file instead (read-only; the same store, so the same answers). The target actually read is returned.
 */
export async function readTraces<T>(
  target: BackendTarget,
  home: string,
  read: (source: TraceSource) => Promise<T>,
): Promise<{ result: T; source: BackendTarget }> {
  try {
    return { result: await read(new TraceClient(target)), source: target }
  } catch (error) {
    const down = isGoblinError(error) && error.code === 'TRACE_BACKEND_UNREACHABLE'
    if (!down || !isLocalEmbedded(target)) throw error
    const store = await StoreTraceSource.open(home, STORE_FILE_SOURCE)
    if (!store) throw error
    try {
      return { result: await read(store), source: store.target }
    } finally {
      store.close()
    }
  }
}
