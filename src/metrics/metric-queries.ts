import { existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  ALL_TIME,
  metricListParams,
  metricViewParams,
  parseMetricListParams,
  parseMetricViewParams,
} from '../collector/metric-params.js'
import type { MetricStore, MetricSummary, MetricView, MetricWindow } from '../collector/metric-store.js'
import { openSpanStore, SPAN_DB_FILE } from '../collector/span-store.js'
import type { ProjectConfig } from '../core/config-schema.js'
import { GoblinError, isGoblinError } from '../core/errors.js'
import { homePaths } from '../core/paths.js'
import { parseTimePoint } from '../core/time-point.js'
import { toUnixNano } from '../cost/time-window.js'
import { collectorUrl } from '../trace/endpoints.js'
import { COLLECTOR_UNREACHABLE, MetricsClient } from './metrics-client.js'

/** Where the metrics were read: the collector's read API, or (collector not running) its store file. */
export type MetricSource = { kind: 'collector'; endpoint: string } | { kind: 'store'; path: string }

export interface MetricReadOptions {
  home: string
  config: ProjectConfig
  /** The collector's base URL; without it, the running one (or the configured address), else the store file. */
  endpoint?: string
  /** Only points since then: a duration back from now (`1h`, `7d`) or a time (see parseTimePoint). */
  since?: string
  now?: Date
}

/** The window a read covered, as RFC 3339 times (null: unbounded). */
export interface ReadWindow {
  since: string | null
  until: string | null
}

export interface MetricList {
  source: MetricSource
  window: ReadWindow
  metrics: MetricSummary[]
}

export interface ShownMetric {
  source: MetricSource
  window: ReadWindow
  by: string[]
  metric: MetricView
}

/** `goblin metrics list`: the metrics with points in the window, optionally those whose name matches a glob. */
export async function listMetrics(options: MetricReadOptions & { nameGlob?: string }): Promise<MetricList> {
  const { window, readWindow } = windowOf(options)
  // Through the read API's own parser, so the store-file path refuses what the collector would.
  const query = parseMetricListParams(
    metricListParams({ window, ...(options.nameGlob ? { nameGlob: options.nameGlob } : {}) }),
  )
  const { source, result } = await readMetrics(
    options,
    (client) => client.list(query),
    (store) => store.list(query),
  )
  return { source, window: readWindow, metrics: result }
}

/**
 * `goblin metrics show`: one metric's change in the window per group (see MetricStore.view). An unknown name
 * is METRIC_NOT_FOUND (exit 1).
 */
export async function showMetric(
  options: MetricReadOptions & { name: string; by?: string[] },
): Promise<ShownMetric> {
  const { window, readWindow } = windowOf(options)
  const by = options.by ?? []
  const query = parseMetricViewParams(options.name, metricViewParams({ name: options.name, window, by }))
  const { source, result } = await readMetrics(
    options,
    (client) => client.view(query),
    (store) => store.view(query),
  )
  if (!result) {
    throw new GoblinError('METRIC_NOT_FOUND', `no metric named ${JSON.stringify(options.name)} is stored`, {
      hint: 'See the stored names with goblin metrics list; points may be past retention.',
    })
  }
  return { source, window: readWindow, by, metric: result }
}

function windowOf(options: MetricReadOptions): { window: MetricWindow; readWindow: ReadWindow } {
  if (!options.since) return { window: ALL_TIME, readWindow: { since: null, until: null } }
  const now = options.now ?? new Date()
  const since = parseTimePoint(options.since, '--since', now)
  return {
    window: { startUnixNano: toUnixNano(since), endUnixNano: toUnixNano(now) },
    readWindow: { since: since.toISOString(), until: now.toISOString() },
  }
}

/**
 * Asks the collector's read API; when no collector answers and no endpoint was named, reads the store file
 * under GOBLIN_HOME read-only instead (the same queries, so the same answers), as `cost report` does.
 */
async function readMetrics<T>(
  options: MetricReadOptions,
  fromApi: (client: MetricsClient) => Promise<T>,
  fromStore: (store: MetricStore) => T,
): Promise<{ source: MetricSource; result: T }> {
  const endpoint = options.endpoint?.replace(/\/+$/, '') ?? collectorUrl(options.home, options.config)
  try {
    return { source: { kind: 'collector', endpoint }, result: await fromApi(new MetricsClient(endpoint)) }
  } catch (error) {
    const dir = homePaths.spans(options.home)
    const down = isGoblinError(error) && error.code === COLLECTOR_UNREACHABLE
    if (options.endpoint || !down || !existsSync(join(dir, SPAN_DB_FILE))) throw error
    const store = await openSpanStore({ dir, readonly: true })
    try {
      return { source: { kind: 'store', path: store.path }, result: fromStore(store.metrics) }
    } finally {
      store.close()
    }
  }
}
