import { isGoblinError } from '../core/errors.js'
import { METRIC_NOT_FOUND, parseMetricListParams, parseMetricViewParams } from './metric-params.js'
import { toOtlpJson } from './otlp-encode-json.js'
import type { HttpAnswer } from './otlp-receiver.js'
import { parseLimit, parseSearchParams } from './search-params.js'
import type { SpanStore } from './span-store.js'

const TRACE_ID = /^[0-9a-fA-F]{32}$/
const TRACE_CALLS_PATH = /^\/api\/goblin\/traces\/([^/]+)\/calls$/

/**
 * The read side, shaped like Tempo's HTTP API so one client serves both:
 * `GET /api/traces/{id}` → `{batches: [OTLP/JSON resourceSpans]}` (404 when unknown),
 * `GET /api/search?tags=&minDuration=&maxDuration=&limit=&start=&end=` → `{traces: [...]}`,
 * `GET /api/echo` → `echo`; and goblin's own `GET /api/goblin/spans?after=SEQ&limit=N` for `trace tail`,
 * `GET /api/goblin/traces/{id}/calls` → `{calls: IndexedCall[] | null}` (the cost index's calls of the trace,
 * which `trace show` prices; null without an index),
 * `GET /api/goblin/metrics` → `{metrics: [...]}` and `GET /api/goblin/metrics/{name}` → a metric's groups
 * (404 when no series has the name) for `goblin metrics` (parameters: metric-params.ts).
 * Returns null for paths it does not serve.
 */
export function handleQuery(url: URL, store: SpanStore): HttpAnswer | null {
  const path = url.pathname
  try {
    if (path === '/api/echo') return { status: 200, headers: { 'content-type': 'text/plain' }, body: 'echo' }
    const calls = TRACE_CALLS_PATH.exec(path)
    if (calls) {
      const id = calls[1] as string
      if (!TRACE_ID.test(id)) return json(400, { error: `"${id}" is not a trace id (32 hex digits)` })
      return json(200, { calls: store.traceCalls(id) })
    }
    if (path.startsWith('/api/traces/')) {
      const id = decodePathSegment(path.slice('/api/traces/'.length))
      if (id === null) return json(400, { error: 'the trace id in the path is not valid percent-encoding' })
      if (!TRACE_ID.test(id)) return json(400, { error: `"${id}" is not a trace id (32 hex digits)` })
      const spans = store.getTrace(id)
      if (spans.length === 0) return json(404, { error: `trace ${id.toLowerCase()} not found` })
      return json(200, { batches: toOtlpJson(spans) })
    }
    if (path === '/api/search') {
      const traces = store.search(parseSearchParams(url.searchParams))
      return json(200, { traces, metrics: { inspectedTraces: traces.length } })
    }
    if (path === '/api/goblin/spans') {
      // Without `after` the answer is only the current end: where a new tail starts following.
      if (!url.searchParams.has('after')) return json(200, { spans: [], cursor: store.lastSeq() })
      const after = Number(url.searchParams.get('after'))
      const limit = parseLimit(url.searchParams.get('limit') ?? '1000')
      if (!Number.isInteger(after) || after < 0)
        return json(400, { error: 'after must be a span cursor (integer >= 0)' })
      const spans = store.spansAfter(after, limit)
      const cursor = spans.at(-1)?.seq ?? after
      return json(200, { spans, cursor })
    }
    if (path === '/api/goblin/metrics')
      return json(200, { metrics: store.metrics.list(parseMetricListParams(url.searchParams)) })
    if (path.startsWith('/api/goblin/metrics/')) {
      const name = decodePathSegment(path.slice('/api/goblin/metrics/'.length))
      if (name === null)
        return json(400, { error: 'the metric name in the path is not valid percent-encoding' })
      const view = store.metrics.view(parseMetricViewParams(name, url.searchParams))
      if (!view)
        return json(404, {
          code: METRIC_NOT_FOUND,
          error: `no metric named ${JSON.stringify(name)} is stored`,
        })
      return json(200, view)
    }
  } catch (error) {
    if (isGoblinError(error)) return json(400, { error: error.message })
    throw error
  }
  return null
}

/** decodeURIComponent, or null for malformed percent-encoding (which it throws on) such as `%E0%A4%A`. */
function decodePathSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment)
  } catch {
    return null
  }
}

function json(status: number, body: unknown): HttpAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
}
