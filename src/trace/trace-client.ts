import { type DecodedSpans, parseOtlpJson, spansFromTraceRequest } from '../collector/otlp-decode.js'
import { searchParamsFor } from '../collector/search-params.js'
import type { SpanRecord } from '../collector/span-record.js'
import type { IndexedCall, StoredSpan, TraceQuery, TraceSummary } from '../collector/span-store.js'
import { GoblinError, unreachableError } from '../core/errors.js'
import { errorCause, type HttpAnswer, httpGetText } from '../core/http-get.js'
import type { BackendTarget } from './endpoints.js'

/** A search result row from either backend; Tempo leaves goblin's extra columns out (null). */
export interface TraceListRow {
  traceID: string
  rootServiceName: string
  rootTraceName: string
  startTimeUnixNano: string
  durationMs: number
  spanCount: number | null
  errorCount: number | null
  costUsd: number | null
  /** LLM calls and those not priced (unmetered or unknown model); null from Tempo. */
  llmCalls: number | null
  unpricedCalls: number | null
}

/** A search result of either backend (or of the store file) as a list row; Tempo's leave goblin's columns null. */
export function toListRow(t: Partial<TraceSummary>): TraceListRow {
  return {
    traceID: String(t.traceID ?? '').padStart(32, '0'),
    rootServiceName: t.rootServiceName ?? '<root span not yet received>',
    rootTraceName: t.rootTraceName ?? '',
    startTimeUnixNano: String(t.startTimeUnixNano ?? '0'),
    durationMs: Number(t.durationMs ?? 0),
    spanCount: typeof t.spanCount === 'number' ? t.spanCount : null,
    errorCount: typeof t.errorCount === 'number' ? t.errorCount : null,
    costUsd: typeof t.costUsd === 'number' ? t.costUsd : null,
    llmCalls: typeof t.llmCalls === 'number' ? t.llmCalls : null,
    unpricedCalls: typeof t.unpricedCalls === 'number' ? t.unpricedCalls : null,
  }
}

/** TRACE_NOT_FOUND (exit 1): the backend (or store) at `where` does not know the trace. */
export function traceNotFound(traceId: string, where: string): GoblinError {
  return new GoblinError('TRACE_NOT_FOUND', `trace ${traceId} not found at ${where}`, {
    hint: 'Check the id with goblin trace list; spans may still be in flight, or past retention.',
  })
}

/**
 * One client for both trace backends, over the Tempo-shaped HTTP API (`/api/search`, `/api/traces/{id}`)
 * that the embedded collector also serves.
 */
export class TraceClient {
  readonly target: BackendTarget
  private readonly timeoutMs: number

  constructor(target: BackendTarget, timeoutMs = 15_000) {
    this.target = target
    this.timeoutMs = timeoutMs
  }

  /** Recent traces matching the query, newest first. */
  async search(query: TraceQuery): Promise<TraceListRow[]> {
    const body = (await this.getJson(`/api/search?${searchParamsFor(query)}`)) as {
      traces?: Partial<TraceSummary>[]
    }
    return (body.traces ?? []).map(toListRow)
  }

  /** The spans of a trace; throws TRACE_NOT_FOUND (exit 1) when the backend does not know it. */
  async getTrace(traceId: string): Promise<SpanRecord[]> {
    const res = await this.request(`/api/traces/${traceId}`)
    if (res.status === 404) throw traceNotFound(traceId, this.target.endpoint)
    const text = this.readOk(res)
    const doc = parseOtlpJson(text) as { trace?: unknown }
    // Tempo v1 answers {batches}, v2 {trace: {resourceSpans}}, OTLP files {resourceSpans}.
    const decoded: DecodedSpans = spansFromTraceRequest(doc.trace ?? doc, { base64Ids: true })
    if (decoded.spans.length === 0) {
      throw new GoblinError('TRACE_NOT_FOUND', `trace ${traceId} has no spans at ${this.target.endpoint}`, {})
    }
    return decoded.spans
  }

  /** Embedded only: spans stored after `cursor`, and the new cursor. Without a cursor, only the current end. */
  async spansAfter(cursor: number | null, limit = 1_000): Promise<{ spans: StoredSpan[]; cursor: number }> {
    const params = new URLSearchParams({ limit: String(limit) })
    if (cursor !== null) params.set('after', String(cursor))
    return (await this.getJson(`/api/goblin/spans?${params}`)) as { spans: StoredSpan[]; cursor: number }
  }

  /**
   * Embedded only: the cost index's LLM calls of a trace (what `trace show` prices); null from Tempo, or
   * from a collector without a cost index or without the route.
   */
  async traceCalls(traceId: string): Promise<IndexedCall[] | null> {
    if (this.target.kind !== 'embedded') return null
    const path = `/api/goblin/traces/${traceId}/calls`
    const res = await this.request(path)
    if (res.status === 404) return null
    return (this.parseJson(path, this.readOk(res)) as { calls?: IndexedCall[] | null }).calls ?? null
  }

  private async getJson(path: string): Promise<unknown> {
    return this.parseJson(path, this.readOk(await this.request(path)))
  }

  private parseJson(path: string, text: string): unknown {
    try {
      return JSON.parse(text)
    } catch {
      throw new GoblinError('BACKEND_BAD_ANSWER', `${this.target.endpoint}${path} did not answer JSON`, {
        hint: `Is ${this.target.endpoint} a ${this.target.kind === 'tempo' ? 'Tempo' : 'goblin collector'} query endpoint?`,
      })
    }
  }

  private async request(path: string): Promise<HttpAnswer> {
    const url = `${this.target.endpoint}${path}`
    try {
      return await httpGetText(url, { accept: 'application/json' }, this.timeoutMs)
    } catch (error) {
      const cause = errorCause(error)
      throw unreachableError(
        'TRACE_BACKEND_UNREACHABLE',
        `cannot reach the ${this.target.kind} trace backend at ${this.target.endpoint} (${cause})`,
        this.target.kind === 'tempo'
          ? "Start the stack with goblin stack up, or pass --endpoint with Tempo's URL."
          : 'Start the collector with goblin stack up (or goblin collector serve), or pass --endpoint.',
        error,
      )
    }
  }

  private readOk(res: HttpAnswer): string {
    const text = res.text
    if (res.ok) return text
    const detail = text.slice(0, 200).trim()
    throw new GoblinError(
      'BACKEND_ERROR',
      `${this.target.endpoint} answered HTTP ${res.status}${detail ? `: ${detail}` : ''}`,
      {
        hint: res.status === 400 ? 'Check the search flags.' : "Check the backend's logs.",
        exit: res.status === 400 ? 2 : 3,
      },
    )
  }
}
