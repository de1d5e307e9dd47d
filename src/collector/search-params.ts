import { parseDuration } from '../core/duration.js'
import { usageError } from '../core/errors.js'
import type { TraceQuery } from './span-store.js'

/**
 * Tempo's `/api/search` parameters, both ways: the collector parses them, the trace client writes them,
 * so one client serves the embedded collector and Tempo. `tags` is logfmt (`service.name=api status=error`),
 * durations are Go-style (`250ms`, `1.5s`, `2m`: see core/duration.ts), `start`/`end` Unix seconds.
 */
export function parseSearchParams(params: URLSearchParams): TraceQuery {
  const query: TraceQuery = {}
  const tags = params.get('tags')
  if (tags) query.tags = parseLogfmt(tags)
  const minDuration = params.get('minDuration')
  if (minDuration) query.minDurationMs = parseDuration(minDuration, 'minDuration')
  const maxDuration = params.get('maxDuration')
  if (maxDuration) query.maxDurationMs = parseDuration(maxDuration, 'maxDuration')
  const start = params.get('start')
  if (start) query.startUnixNano = unixSecondsToNano(start, 'start')
  const end = params.get('end')
  if (end) query.endUnixNano = unixSecondsToNano(end, 'end')
  const limit = params.get('limit')
  if (limit) query.limit = parseLimit(limit)
  return query
}

/** The most rows one query answers: larger limits are clamped, so no request makes the store dump itself. */
export const MAX_QUERY_LIMIT = 10_000

/** A `limit` parameter: a positive integer, clamped to MAX_QUERY_LIMIT; anything else is refused (400). */
export function parseLimit(text: string): number {
  const n = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isInteger(n) || n < 1)
    throw usageError('BAD_SEARCH', `limit must be a positive integer, got "${text}"`)
  return Math.min(n, MAX_QUERY_LIMIT)
}

/** The Tempo search parameters for a query (times rounded outward to whole seconds, as Tempo takes them). */
export function searchParamsFor(query: TraceQuery): URLSearchParams {
  const params = new URLSearchParams()
  if (query.tags && Object.keys(query.tags).length > 0) params.set('tags', formatLogfmt(query.tags))
  if (query.minDurationMs !== undefined) params.set('minDuration', `${query.minDurationMs}ms`)
  if (query.maxDurationMs !== undefined) params.set('maxDuration', `${query.maxDurationMs}ms`)
  if (query.startUnixNano !== undefined) params.set('start', String(query.startUnixNano / 1_000_000_000n))
  if (query.endUnixNano !== undefined) {
    params.set('end', String((query.endUnixNano + 999_999_999n) / 1_000_000_000n))
  }
  if (query.limit !== undefined) params.set('limit', String(query.limit))
  return params
}

function unixSecondsToNano(text: string, what: string): bigint {
  if (!/^\d+$/.test(text)) throw usageError('BAD_SEARCH', `${what} must be Unix seconds, got "${text}"`)
  return BigInt(text) * 1_000_000_000n
}

/** Parses logfmt `k=v k2="v 2"` pairs. */
export function parseLogfmt(text: string): Record<string, string> {
  // No prototype: a tag named __proto__ is a key like any other, not a prototype to set.
  const out: Record<string, string> = Object.create(null)
  const pattern = /\s*([^\s=]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/gy
  let match: RegExpExecArray | null = pattern.exec(text)
  let consumed = 0
  while (match) {
    const key = match[1] as string
    out[key] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '')
    consumed = pattern.lastIndex
    match = pattern.exec(text)
  }
  if (text.slice(consumed).trim() !== '') {
    throw usageError('BAD_SEARCH', `tags: cannot read "${text.slice(consumed).trim()}" as key=value`)
  }
  return out
}

/** Writes pairs as logfmt, quoting values with spaces or quotes. */
export function formatLogfmt(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([k, v]) => (/[\s"=]/.test(v) || v === '' ? `${k}="${v.replace(/(["\\])/g, '\\$1')}"` : `${k}=${v}`))
    .join(' ')
}
