import { unreachableError, usageError } from '../core/errors.js'
import { type CostRow, NONE } from './price-groups.js'
import { roundUsd } from './usage-cost.js'
import type { GroupKey } from './usage-groups.js'

/** The labels of `goblin_cost_usd_total`: the only keys the Prometheus backend can group by. */
export const PROMETHEUS_GROUP_KEYS: readonly GroupKey[] = ['model', 'goblin', 'provider']

export const PROMETHEUS_TIMEOUT_MS = 10_000

/** The PromQL that sums the USD spent between two times, grouped by the counter's labels. */
export function costPromQl(by: readonly GroupKey[], rangeSeconds: number): string {
  const range = `${Math.max(1, Math.round(rangeSeconds))}s`
  return `sum by (${by.join(', ')}) (increase(goblin_cost_usd_total[${range}]))`
}

/**
 * Cost per group from `goblin_cost_usd_total` through the Prometheus HTTP API (`/api/v1/query`, evaluated at
 * `until` over the range since `since`). Prometheus knows USD only: calls and tokens are null, and
 * `increase()` extrapolates at the range edges, so figures are close to, not exactly, the store's.
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
  const query = costPromQl(options.by, (options.until.getTime() - options.since.getTime()) / 1000)
  const endpoint = new URL('/api/v1/query', options.url)
  endpoint.searchParams.set('query', query)
  endpoint.searchParams.set('time', (options.until.getTime() / 1000).toFixed(3))
  let response: Response
  try {
    response = await fetch(endpoint, {
      signal: AbortSignal.timeout(options.timeoutMs ?? PROMETHEUS_TIMEOUT_MS),
    })
  } catch (error) {
    throw unreachableError(
      'PROMETHEUS_UNREACHABLE',
      `Prometheus at ${options.url} does not answer: ${((error as Error).cause as Error)?.message ?? (error as Error).message}`,
      'Start the stack (goblin stack up) or pass --prometheus-url.',
      error,
    )
  }
  const body = (await response.json().catch(() => null)) as PrometheusAnswer | null
  if (!response.ok || !body || body.status !== 'success' || body.data?.resultType !== 'vector') {
    throw unreachableError(
      'PROMETHEUS_QUERY_FAILED',
      `Prometheus at ${options.url} answered HTTP ${response.status}${body?.error ? `: ${body.error}` : ''}`,
      'Check that the URL is a Prometheus server (its /api/v1/query endpoint).',
    )
  }
  return body.data.result.map((series) => {
    const key: Partial<Record<GroupKey, string>> = {}
    for (const k of options.by) key[k] = series.metric[k] || NONE
    const usd = Number(series.value[1])
    return {
      key,
      usd: roundUsd(Number.isFinite(usd) ? usd : 0),
      calls: null,
      inputTokens: null,
      outputTokens: null,
      cachedInputTokens: null,
      unknownModelCalls: 0,
    }
  })
}

interface PrometheusAnswer {
  status: string
  error?: string
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> }
}
