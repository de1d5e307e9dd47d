import {
  METRIC_NOT_FOUND,
  metricListParams,
  metricViewParams,
  metricViewPath,
} from '../collector/metric-params.js'
import type {
  MetricGroupQuery,
  MetricListQuery,
  MetricSummary,
  MetricView,
} from '../collector/metric-store.js'
import { GoblinError, unreachableError } from '../core/errors.js'
import { errorCause } from '../core/http-get.js'

/** Thrown when the collector cannot be reached at all: the caller may read the store file instead. */
export const COLLECTOR_UNREACHABLE = 'COLLECTOR_UNREACHABLE'

/** Reads metrics over the embedded collector's read API (`/api/goblin/metrics...`, see metric-params.ts). */
export class MetricsClient {
  readonly endpoint: string
  private readonly timeoutMs: number

  constructor(endpoint: string, timeoutMs = 15_000) {
    this.endpoint = endpoint
    this.timeoutMs = timeoutMs
  }

  /** Metrics with points in the query's window, by name. */
  async list(query: MetricListQuery): Promise<MetricSummary[]> {
    const { status, body } = await this.get(`/api/goblin/metrics?${metricListParams(query)}`)
    if (status !== 200) throw this.failure(status, body)
    return (body as { metrics: MetricSummary[] }).metrics
  }

  /** One metric's groups in the window; null when the collector stores no series of that name. */
  async view(query: MetricGroupQuery): Promise<MetricView | null> {
    const { status, body } = await this.get(`${metricViewPath(query.name)}?${metricViewParams(query)}`)
    if (status === 404 && (body as { code?: unknown }).code === METRIC_NOT_FOUND) return null
    if (status !== 200) throw this.failure(status, body)
    return body as MetricView
  }

  private async get(path: string): Promise<{ status: number; body: unknown }> {
    let res: Response
    try {
      res = await fetch(`${this.endpoint}${path}`, {
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: { accept: 'application/json' },
      })
    } catch (error) {
      throw unreachableError(
        COLLECTOR_UNREACHABLE,
        `cannot reach the goblin collector at ${this.endpoint} (${errorCause(error)})`,
        'Start it with goblin stack up (or goblin collector serve), or pass --endpoint.',
        error,
      )
    }
    const text = await res.text()
    try {
      return { status: res.status, body: JSON.parse(text) }
    } catch {
      throw new GoblinError('BACKEND_BAD_ANSWER', `${this.endpoint}${path} did not answer JSON`, {
        hint: `Is ${this.endpoint} a goblin collector? Its read API serves /api/goblin/metrics.`,
      })
    }
  }

  private failure(status: number, body: unknown): GoblinError {
    const detail = String((body as { error?: unknown }).error ?? '').slice(0, 200)
    if (status === 400)
      return new GoblinError('BAD_METRIC_QUERY', `the collector refused the query: ${detail}`)
    return new GoblinError(
      'BACKEND_ERROR',
      `${this.endpoint} answered HTTP ${status}${detail ? `: ${detail}` : ''}`,
      {
        hint:
          status === 404
            ? `${this.endpoint} does not serve goblin's metric API: is it another OTLP collector? Pass --endpoint with goblin's.`
            : "Check the collector's log.",
      },
    )
  }
}
