import { usageError } from '../core/errors.js'
import type { MetricGroupQuery, MetricListQuery, MetricWindow } from './metric-store.js'
import { fitsStore, MAX_STORED_NANOS } from './otlp-decode.js'

/**
 * The parameters of goblin's metric routes, both ways: the collector parses them, the metrics client writes
 * them. `GET /api/goblin/metrics?name=GLOB&start=&end=` lists metrics; `GET /api/goblin/metrics/{name}?by=
 * ATTR&by=ATTR&start=&end=` shows one. `start` and `end` are Unix nanoseconds (default: all stored).
 */

/** The `code` of the 404 for a metric no series has (a route that does not exist answers without it). */
export const METRIC_NOT_FOUND = 'METRIC_NOT_FOUND'

/** Longest metric name, glob or attribute name taken (OpenTelemetry caps instrument names at 255). */
const MAX_NAME_LENGTH = 255
/** Most `by` attributes one query groups by. */
export const MAX_GROUP_BY = 16

export function parseMetricListParams(params: URLSearchParams): MetricListQuery {
  const query: MetricListQuery = { window: parseWindow(params) }
  const glob = params.get('name')
  if (glob) query.nameGlob = checkedName(glob, 'name')
  return query
}

export function metricListParams(query: MetricListQuery): URLSearchParams {
  const params = windowParams(query.window)
  if (query.nameGlob) params.set('name', query.nameGlob)
  return params
}

export function parseMetricViewParams(name: string, params: URLSearchParams): MetricGroupQuery {
  const by = params.getAll('by')
  if (by.length > MAX_GROUP_BY)
    throw usageError(
      'BAD_METRIC_QUERY',
      `by names ${by.length} attributes; at most ${MAX_GROUP_BY} are taken`,
    )
  const query: MetricGroupQuery = { name: checkedName(name, 'metric name'), window: parseWindow(params) }
  if (by.length > 0) query.by = by.map((b) => checkedName(b, 'by'))
  return query
}

export function metricViewParams(query: MetricGroupQuery): URLSearchParams {
  const params = windowParams(query.window)
  for (const by of query.by ?? []) params.append('by', by)
  return params
}

/** The path of one metric's view; the name is percent-encoded, as names may hold `/`. */
export function metricViewPath(name: string): string {
  return `/api/goblin/metrics/${encodeURIComponent(name)}`
}

/** All of the store's time: what a query without `start` and `end` covers. */
export const ALL_TIME: MetricWindow = { startUnixNano: 0n, endUnixNano: BigInt(MAX_STORED_NANOS) }

function parseWindow(params: URLSearchParams): MetricWindow {
  const window = {
    startUnixNano: unixNano(params.get('start'), 'start') ?? ALL_TIME.startUnixNano,
    endUnixNano: unixNano(params.get('end'), 'end') ?? ALL_TIME.endUnixNano,
  }
  if (window.startUnixNano > window.endUnixNano)
    throw usageError('BAD_METRIC_QUERY', `start ${window.startUnixNano} is after end ${window.endUnixNano}`)
  return window
}

function windowParams(window: MetricWindow): URLSearchParams {
  const params = new URLSearchParams()
  if (window.startUnixNano !== ALL_TIME.startUnixNano) params.set('start', String(window.startUnixNano))
  if (window.endUnixNano !== ALL_TIME.endUnixNano) params.set('end', String(window.endUnixNano))
  return params
}

function unixNano(text: string | null, what: string): bigint | undefined {
  if (text === null || text === '') return undefined
  const digits = /^\d+$/.test(text) ? text.replace(/^0+(?=\d)/, '') : null
  if (digits === null || !fitsStore(digits))
    throw usageError(
      'BAD_METRIC_QUERY',
      `${what} must be Unix nanoseconds (0 to ${MAX_STORED_NANOS}), got "${text.slice(0, 40)}"`,
    )
  return BigInt(digits)
}

function checkedName(text: string, what: string): string {
  if (text.length === 0 || text.length > MAX_NAME_LENGTH)
    throw usageError(
      'BAD_METRIC_QUERY',
      `${what} must be 1 to ${MAX_NAME_LENGTH} characters, got ${text.length}`,
    )
  return text
}
