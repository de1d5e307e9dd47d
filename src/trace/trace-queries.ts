import { type OtlpJsonResourceSpans, toOtlpJson } from '../collector/otlp-encode-json.js'
import type { SpanRecord } from '../collector/span-record.js'
import type { StoredSpan, TraceQuery } from '../collector/span-store.js'
import { parseDuration } from '../core/duration.js'
import { parseTimePoint } from '../core/time-point.js'
import type { PriceBook } from '../cost/price-book.js'
import { priceCall } from '../cost/price-call.js'
import { loadTablePrices } from '../cost/price-sources.js'
import type { PricedCall } from '../llm/llm-call.js'
import type { BackendTarget } from './endpoints.js'
import type { TraceListRow } from './trace-client.js'
import { resolveTraceRef } from './trace-ref.js'
import type { TraceSource } from './trace-source.js'
import { buildWaterfall, type Waterfall, type WaterfallOptions } from './waterfall.js'

export interface ListTracesOptions {
  source: TraceSource
  service?: string
  goblin?: string
  session?: string
  /** A duration back from now (e.g. 1h) or a time (see parseTimePoint). */
  since?: string
  status?: 'error'
  minDuration?: string
  limit?: number
  now?: Date
}

export interface TraceList {
  backend: BackendTarget
  traces: TraceListRow[]
}

/** `goblin trace list`: recent traces matching the filters, newest first. */
export async function listTraces(options: ListTracesOptions): Promise<TraceList> {
  const now = options.now ?? new Date()
  const query: TraceQuery = { limit: options.limit ?? 20 }
  const tags: Record<string, string> = {}
  if (options.service) tags['service.name'] = options.service
  if (options.goblin) tags['goblin.id'] = options.goblin
  if (options.session) tags['session.id'] = options.session
  if (options.status) tags.status = options.status
  if (Object.keys(tags).length > 0) query.tags = tags
  if (options.since) {
    // Tempo takes start and end together.
    query.startUnixNano = BigInt(parseTimePoint(options.since, '--since', now).getTime()) * 1_000_000n
    query.endUnixNano = BigInt(now.getTime()) * 1_000_000n
  }
  if (options.minDuration) query.minDurationMs = parseDuration(options.minDuration, '--min-duration')
  const traces = await options.source.search(query)
  return { backend: options.source.target, traces }
}

export interface ShownTrace {
  traceId: string
  backend: BackendTarget
  spans: SpanRecord[]
  waterfall: Waterfall
}

/**
 * `goblin trace show`: a trace's spans and its waterfall model. `ref` is an id, a unique prefix or `latest`
 * (see resolveTraceRef). Unknown id: TRACE_NOT_FOUND (exit 1).
 */
export async function showTrace(
  source: TraceSource,
  ref: string,
  home: string,
  options: WaterfallOptions = {},
): Promise<ShownTrace> {
  const traceId = await resolveTraceRef(ref, source, home)
  const [spans, calls] = await Promise.all([source.getTrace(traceId), source.traceCalls(traceId)])
  // The price tables are read for the first metered call: a trace without one (most of what `trace exec`
  // wraps) does not pay their parse.
  let book: PriceBook | undefined
  const price = (call: PricedCall) => {
    book ??= loadTablePrices()
    return priceCall(call, book).usd
  }
  return {
    traceId,
    backend: source.target,
    spans,
    waterfall: buildWaterfall(spans, { ...options, price, calls }),
  }
}

/** A trace as OTLP/JSON (`{resourceSpans}`), what `trace show --json` prints. */
export function traceAsOtlpJson(spans: SpanRecord[]): { resourceSpans: OtlpJsonResourceSpans[] } {
  return { resourceSpans: toOtlpJson(spans) }
}

export interface FollowOptions {
  source: TraceSource
  intervalMs?: number
  signal: AbortSignal
  onSpans: (spans: SpanRecord[]) => void | Promise<void>
  /** Called once the starting point is known: spans stored from then on will be passed to onSpans. */
  onReady?: () => void
}

/**
 * `goblin trace tail`: calls `onSpans` with spans as they arrive until `signal` aborts. The embedded
 * collector is followed by its span cursor; Tempo by polling search for new traces and reading them.
 */
export async function followSpans(options: FollowOptions): Promise<void> {
  const client = options.source
  const interval = options.intervalMs ?? 1_000
  const sleep = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, interval)
      options.signal.addEventListener('abort', () => {
        clearTimeout(timer)
        resolve()
      })
    })
  if (options.source.target.kind === 'embedded') {
    let { cursor } = await client.spansAfter(null)
    options.onReady?.()
    while (!options.signal.aborted) {
      const page: { spans: StoredSpan[]; cursor: number } = await client.spansAfter(cursor)
      cursor = page.cursor
      if (page.spans.length > 0) await options.onSpans(page.spans)
      if (page.spans.length < 1_000) await sleep()
    }
    return
  }
  const seen = new Set<string>()
  let since = BigInt(Date.now()) * 1_000_000n
  options.onReady?.()
  while (!options.signal.aborted) {
    const now = BigInt(Date.now()) * 1_000_000n
    const traces = await client.search({
      startUnixNano: since - 5_000_000_000n,
      endUnixNano: now,
      limit: 100,
    })
    since = now
    for (const t of traces.reverse()) {
      if (seen.has(t.traceID)) continue
      seen.add(t.traceID)
      await options.onSpans(await client.getTrace(t.traceID))
    }
    await sleep()
  }
}
