import type { DatabaseSync } from 'node:sqlite'
import type { TokenCounts } from './usage-cost.js'

/** What a cost report can group by. */
export const GROUP_KEYS = ['model', 'goblin', 'task', 'service', 'provider', 'day'] as const
export type GroupKey = (typeof GROUP_KEYS)[number]

/**
 * LLM calls summed per model, provider and the requested keys, before pricing. Calls carrying `llm.cost`
 * are summed apart (`spanCost`), and only the tokens of the others (`unpriced`) are priced from the table.
 */
export interface UsageGroup {
  model: string | null
  provider: string | null
  /** Values of the requested keys (null when the spans did not carry them). */
  keys: Partial<Record<GroupKey, string | null>>
  calls: number
  tokens: TokenCounts
  spanCost: number
  spanCostCalls: number
  unpriced: TokenCounts
}

export interface UsageFilter {
  /** Unix nanoseconds, inclusive. */
  sinceNs: bigint
  /** Unix nanoseconds, exclusive. */
  untilNs: bigint
  goblin?: string
  task?: string
}

const COLUMN: Record<GroupKey, string> = {
  model: 'model',
  goblin: 'goblin',
  task: 'task',
  service: 'service',
  provider: 'provider',
  day: 'day',
}

/**
 * Sums `llm_calls` rows in SQL: one pass, grouped by model, provider and `by`; parent rows that carry their
 * LLM children's aggregate (`has_llm_children`) are left out. Pricing happens per group afterwards, in JS.
 */
export function queryUsageGroups(
  db: DatabaseSync,
  by: readonly GroupKey[],
  filter: UsageFilter,
): UsageGroup[] {
  const extra = by.filter((k) => k !== 'model' && k !== 'provider')
  const groupColumns = ['model', 'provider', ...extra.map((k) => COLUMN[k])]
  const where = ['has_llm_children = 0', 'start_ns >= ?', 'start_ns < ?']
  const params: Array<string | bigint> = [filter.sinceNs, filter.untilNs]
  if (filter.goblin !== undefined) {
    where.push('goblin = ?')
    params.push(filter.goblin)
  }
  if (filter.task !== undefined) {
    where.push('task = ?')
    params.push(filter.task)
  }
  const sql = `SELECT ${groupColumns.join(', ')},
      count(*) AS calls,
      total(input_tokens) AS input, total(output_tokens) AS output,
      total(cache_read_tokens) AS cache_read, total(cache_creation_tokens) AS cache_creation,
      total(cost) AS span_cost, count(cost) AS span_cost_calls,
      total(CASE WHEN cost IS NULL THEN input_tokens END) AS u_input,
      total(CASE WHEN cost IS NULL THEN output_tokens END) AS u_output,
      total(CASE WHEN cost IS NULL THEN cache_read_tokens END) AS u_cache_read,
      total(CASE WHEN cost IS NULL THEN cache_creation_tokens END) AS u_cache_creation
    FROM llm_calls WHERE ${where.join(' AND ')}
    GROUP BY ${groupColumns.join(', ')}`
  const rows = db.prepare(sql).all(...params) as Array<Record<string, string | number | null>>
  return rows.map((row) => ({
    model: row.model as string | null,
    provider: row.provider as string | null,
    keys: Object.fromEntries(extra.map((k) => [k, row[COLUMN[k]] as string | null])),
    calls: Number(row.calls),
    tokens: {
      input: Number(row.input),
      output: Number(row.output),
      cacheRead: Number(row.cache_read),
      cacheCreation: Number(row.cache_creation),
    },
    spanCost: Number(row.span_cost),
    spanCostCalls: Number(row.span_cost_calls),
    unpriced: {
      input: Number(row.u_input),
      output: Number(row.u_output),
      cacheRead: Number(row.u_cache_read),
      cacheCreation: Number(row.u_cache_creation),
    },
  }))
}
