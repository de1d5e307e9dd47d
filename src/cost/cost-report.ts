import { GROUP_KEYS, type GroupKey } from '../collector/usage-groups.js'
import { usageError } from '../core/errors.js'
import { parseTimePoint } from '../core/time-point.js'
import type { HookRunner, PluginProblem } from '../plugins/hook-runner.js'
import { readEmbeddedUsage } from './embedded-usage.js'
import { type CostRow, priceGroups, type UnknownModel } from './price-groups.js'
import { loadPrices, type PriceTableInfo } from './price-sources.js'
import { readPrometheusCost } from './prometheus-usage.js'
import { toUnixNano } from './time-window.js'

export type CostBackend = 'embedded' | 'prometheus'

export interface CostReportOptions {
  since?: string
  until?: string
  by?: string[]
  backend?: CostBackend
  prometheusUrl?: string
  hooks?: HookRunner
  home?: string
  now?: Date
}

/** `goblin cost report --json`: stable, documented in docs/cost.md. */
export interface CostReport {
  backend: CostBackend
  since: string
  until: string
  by: GroupKey[]
  rows: CostRow[]
  total: CostRow
  unknownModels: UnknownModel[]
  prices: PriceTableInfo[]
  notes: string[]
  /** Plugins whose price hook failed (shown as warnings). */
  problems: PluginProblem[]
}

export const DEFAULT_SINCE = '24h'
export const DEFAULT_PROMETHEUS_URL = 'http://127.0.0.1:9090'

/** Parses `--by` values (repeatable and/or comma-separated) into known group keys, in order, without repeats. */
export function parseGroupKeys(values: string[] | undefined): GroupKey[] {
  const keys: GroupKey[] = []
  for (const part of (values ?? ['model']).flatMap((v) => v.split(','))) {
    const key = part.trim()
    if (!key) continue
    if (!(GROUP_KEYS as readonly string[]).includes(key)) {
      throw usageError('COST_BAD_GROUP', `--by ${key}: not a group key`, `Group by ${GROUP_KEYS.join(', ')}.`)
    }
    if (!keys.includes(key as GroupKey)) keys.push(key as GroupKey)
  }
  return keys.length > 0 ? keys : ['model']
}

/** Builds a cost report: LLM calls between `since` and `until`, grouped and priced. */
export async function buildCostReport(options: CostReportOptions = {}): Promise<CostReport> {
  const now = options.now ?? new Date()
  const since = parseTimePoint(options.since ?? DEFAULT_SINCE, '--since', now)
  const until = options.until ? parseTimePoint(options.until, '--until', now) : now
  if (since.getTime() >= until.getTime()) {
    throw usageError(
      'COST_BAD_RANGE',
      `--since ${since.toISOString()} is not before --until ${until.toISOString()}`,
      'Pass a --since earlier than --until.',
    )
  }
  const by = parseGroupKeys(options.by)
  const backend = options.backend ?? 'embedded'
  const base = { backend, since: since.toISOString(), until: until.toISOString(), by }
  if (backend === 'prometheus') {
    const url = options.prometheusUrl ?? DEFAULT_PROMETHEUS_URL
    const rows = await readPrometheusCost({ url, by, since, until })
    rows.sort((a, b) => b.usd - a.usd)
    const total: CostRow = {
      key: {},
      usd: Math.round(rows.reduce((sum, r) => sum + r.usd, 0) * 1e9) / 1e9,
      calls: null,
      inputTokens: null,
      outputTokens: null,
      cachedInputTokens: null,
      unknownModelCalls: 0,
      unmeteredCalls: 0,
    }
    return {
      ...base,
      rows,
      total,
      unknownModels: [],
      prices: [],
      notes: [`from goblin_cost_usd_total at ${url}: USD only, priced by the collector as spans arrived`],
      problems: [],
    }
  }
  const prices = await loadPrices({ home: options.home, hooks: options.hooks })
  const usage = await readEmbeddedUsage(
    by,
    { sinceNs: toUnixNano(since), untilNs: toUnixNano(until) },
    prices.book,
    options.home,
  )
  const priced = priceGroups(usage.groups, prices.book, by)
  return {
    ...base,
    ...priced,
    prices: prices.tables,
    notes: usage.note ? [usage.note] : [],
    problems: prices.problems,
  }
}
