import type { GroupKey } from '../collector/usage-groups.js'
import { unreachableError, usageError } from '../core/errors.js'
import { type CostRow, NONE } from './price-groups.js'
import { roundUsd } from './usage-cost.js'

/** The labels of `goblin_cost_usd_total`: the only keys the Prometheus backend can group by. */
export const PROMETHEUS_GROUP_KEYS: readonly GroupKey[] = ['model', 'goblin', 'provider']

export const PROMETHEUS_TIMEOUT_MS = 10_000

const METRIC = 'goblin_cost_usd_total'
/** How far before `since` a counter sample still counts as the baseline. */
const BASELINE_LOOKBACK = '5m'

/**
 * Cost per group from `goblin_cost_usd_total` through the Prometheus HTTP API (`/api/v1/query`).
 * Per series, spend = its last value in the window minus its value just before `since` (0 for a series that
 * first appeared inside the window, which `increase()` alone would miss); a series whose counter reset
 * inside the window (collector restart) falls back to `increase()`, which extrapolates. Prometheus knows
 * USD only: calls and tokens are null.
 */
export async function readPrometheusCost(options: {
  url: string
  by: readonly GroupKey[]
  since: Date
  until: Date
  timeoutMs?: number
}): Promise<CostRow[]> {
  const unsupported = options.by.filter((k) => !PROMETHEUS_GROUP_KEYS.includes(k))
  if (unsupported.length > 0) {
    throw usageError(
      'COST_BACKEND_KEY',
      `--backend prometheus cannot group by ${unsupported.join(', ')}: goblin_cost_usd_total has only the labels ${PROMETHEUS_GROUP_KEYS.join(', ')}`,
      'Group by model, goblin or provider, or use --backend embedded.',
    )
  }
  const range = `${Math.max(1, Math.ceil((options.until.getTime() - options.since.getTime()) / 1000))}s`
  const query = (promql: string, at: Date) => instantQuery(options.url, promql, at, options.timeoutMs)
  const [last, baseline, resets, increase] = await Promise.all([
    query(`last_over_time(${METRIC}[${range}])`, options.until),
    query(`last_over_time(${METRIC}[${BASELINE_LOOKBACK}])`, options.since),
    query(`resets(${METRIC}[${range}])`, options.until),
    query(`increase(${METRIC}[${range}])`, options.until),
  ])
  const seriesKey = (m: Record<string, string>) =>
    JSON.stringify(PROMETHEUS_GROUP_KEYS.map((k) => m[k] ?? ''))
  const before = new Map(baseline.map((s) => [seriesKey(s.metric), s.value]))
  const reset = new Map(resets.map((s) => [seriesKey(s.metric), s.value]))
  const increased = new Map(increase.map((s) => [seriesKey(s.metric), s.value]))
  const rows = new Map<string, CostRow>()
  for (const series of last) {
    const id = seriesKey(series.metric)
    const start = before.get(id) ?? 0
    const spent =
      (reset.get(id) ?? 0) > 0
        ? (increased.get(id) ?? 0)
        : series.value >= start
          ? series.value - start
          : series.value
    const key: Partial<Record<GroupKey, string>> = {}
    for (const k of options.by) key[k] = series.metric[k] || NONE
    const groupId = JSON.stringify(options.by.map((k) => key[k]))
    const row = rows.get(groupId) ?? {
      key,
      usd: 0,
      calls: null,
      inputTokens: null,
      outputTokens: null,
      cachedInputTokens: null,
      unknownModelCalls: 0,
      unmeteredCalls: 0,
    }
    row.usd += spent
    rows.set(groupId, row)
  }
  return [...rows.values()].map((row) => ({ ...row, usd: roundUsd(row.usd) })).filter((row) => row.usd > 0)
}

async function instantQuery(
  url: string,
  promql: string,
  at: Date,
  timeoutMs = PROMETHEUS_TIMEOUT_MS,
): Promise<Array<{ metric: Record<string, string>; value: number }>> {
  const endpoint = new URL('/api/v1/query', url)
  endpoint.searchParams.set('query', promql)
  endpoint.searchParams.set('time', (at.getTime() / 1000).toFixed(3))
  let response: Response
  try {
    response = await fetch(endpoint, { signal: AbortSignal.timeout(timeoutMs) })
  } catch (error) {
    throw unreachableError(
      'PROMETHEUS_UNREACHABLE',
      `Prometheus at ${url} does not answer: ${((error as Error).cause as Error)?.message ?? (error as Error).message}`,
      'Start the stack (goblin stack up) or pass --prometheus-url.',
      error,
    )
  }
  const body = (await response.json().catch(() => null)) as PrometheusAnswer | null
  if (!response.ok || !body || body.status !== 'success' || body.data?.resultType !== 'vector') {
    throw unreachableError(
      'PROMETHEUS_QUERY_FAILED',
      `Prometheus at ${url} answered HTTP ${response.status}${body?.error ? `: ${body.error}` : ''}`,
      'Check that the URL is a Prometheus server (its /api/v1/query endpoint).',
    )
  }
  return body.data.result
    .map((series) => ({ metric: series.metric, value: Number(series.value[1]) }))
    .filter((series) => Number.isFinite(series.value))
}

interface PrometheusAnswer {
  status: string
  error?: string
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> }
}
