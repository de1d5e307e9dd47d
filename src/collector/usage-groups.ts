import type { DatabaseSync } from 'node:sqlite'

/** Token counts of one call or of many summed; `input` includes the cache-read and cache-creation tokens. */
export interface TokenCounts {
  input: number
  output: number
  cacheRead: number
  /** Cache writes at either rate. */
  cacheCreation: number
  /** The part of `cacheCreation` written to the 1-hour cache (0 when unknown: all at the 5-minute rate). */
  cacheWrite1h?: number
  /** The part of `output` that was reasoning; summed only by a query `withReasoning` (else priced as output). */
  reasoning?: number
}

/** What a cost report can group by. */
export const GROUP_KEYS = [
  'model',
  'goblin',
  'task',
  'session',
  'service',
  'provider',
  'day',
  'hour',
] as const
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
  /** Calls of a known kind that reported no token counts and no cost of their own. */
  unmeteredCalls: number
  tokens: TokenCounts
  spanCost: number
  spanCostCalls: number
  unpriced: TokenCounts
  /**
   * The largest prompt among the group's calls. With `tierThresholds`, every call of a group lies between the
   * same two thresholds, so this prompt size picks the tier each of them pays (`priceTokens`' `requestInput`);
   * without, it tells whether the group needs splitting by tier (src/cost/tier-split.ts).
   */
  promptSize: number
  /** Set on spend read from a sender's cost metric (src/cost/metric-usage.ts), which carries no calls. */
  fromMetrics?: boolean
}

export interface UsageFilter {
  /** Unix nanoseconds, inclusive. */
  sinceNs: bigint
  /** Unix nanoseconds, exclusive. */
  untilNs: bigint
  goblin?: string
  task?: string
  /** Only calls of these models (names as stored), for a tier split (src/cost/tier-split.ts). */
  models?: readonly string[]
  /** Only calls whose prompt exceeds this many tokens. */
  aboveInput?: number
}

/** SQL for each key: `llm_names` ids, except the UTC day and hour, derived from the start time. */
const COLUMN: Record<GroupKey, string> = {
  model: 'model',
  goblin: 'goblin',
  task: 'task',
  session: 'session',
  service: 'service',
  provider: 'provider',
  day: "strftime('%Y-%m-%d', start_ns / 1000000000, 'unixepoch')",
  hour: "strftime('%Y-%m-%dT%H:00Z', start_ns / 1000000000, 'unixepoch')",
}

/**
 * How a usage query splits and sums: with `tierThresholds`, by tier class too (how many thresholds a call's
 * prompt exceeds); `withReasoning` also sums reasoning tokens, which the covering report index does not hold
 * (so ask for them only over the few models whose reasoning has a price of its own).
 */
export interface UsageQueryOptions {
  tierThresholds?: readonly number[]
  withReasoning?: boolean
}

/**
 * Sums `llm_calls` rows in SQL: one pass, grouped by model, provider and `by`; parent rows that carry their
 * LLM descendants' aggregate (`aggregate`) are left out. Pricing happens per group afterwards, in JS.
 */
export function queryUsageGroups(
  db: DatabaseSync,
  by: readonly GroupKey[],
  filter: UsageFilter,
  options: UsageQueryOptions = {},
): UsageGroup[] {
  const extra = by.filter((k) => k !== 'model' && k !== 'provider')
  const { sql, params } = usageGroupsSql(by, filter, windowIsNarrow(db, filter), options)
  const rows = db.prepare(sql).all(...params) as Array<Record<string, string | number | null>>
  const value = (row: Record<string, string | number | null>, i: number): string | null => {
    const v = row[`k${i}`]
    return v === null || v === undefined ? null : String(v)
  }
  return rows.map((row) => ({
    model: value(row, 0),
    provider: value(row, 1),
    keys: Object.fromEntries(extra.map((k, i) => [k, value(row, i + 2)])),
    calls: Number(row.calls),
    unmeteredCalls: Number(row.unmetered),
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
      cacheWrite1h: Number(row.u_cache_1h),
      ...(options.withReasoning ? { reasoning: Number(row.u_reasoning) } : {}),
    },
    promptSize: Number(row.prompt),
  }))
}

/**
 * The SQL of `queryUsageGroups` (exported for its query-plan test): a narrow window seeks
 * `llm_calls_by_start`, a wide one scans `llm_calls_report`, the covering index.
 */
export function usageGroupsSql(
  by: readonly GroupKey[],
  filter: UsageFilter,
  narrow: boolean,
  options: UsageQueryOptions = {},
): { sql: string; params: Array<string | bigint> } {
  const tierThresholds = options.tierThresholds ?? []
  const extra = by.filter((k) => k !== 'model' && k !== 'provider')
  const keys: GroupKey[] = ['model', 'provider', ...extra]
  // The time index pays for narrow windows only; over most of the table a plain scan is several times faster
  // (SQLite has no statistics to tell, so look at the stored time range).
  const time = narrow ? 'start_ns' : '+start_ns'
  // And `+aggregate` then, or the planner seeks llm_calls_report by its `aggregate` prefix: every counted call.
  const where = [narrow ? '+aggregate = 0' : 'aggregate = 0', `${time} >= ?`, `${time} < ?`]
  const params: Array<string | bigint> = [filter.sinceNs, filter.untilNs]
  for (const key of ['goblin', 'task'] as const) {
    const name = filter[key]
    if (name === undefined) continue
    where.push(`${key} = (SELECT id FROM llm_names WHERE name = ?)`)
    params.push(name)
  }
  if (filter.models) {
    where.push(
      `model IN (SELECT id FROM llm_names WHERE name IN (${filter.models.map(() => '?').join(',')}))`,
    )
    params.push(...filter.models)
  }
  if (filter.aboveInput !== undefined) {
    where.push('input_tokens > ?')
    params.push(BigInt(Math.trunc(filter.aboveInput)))
  }
  const tiered = tierThresholds.length > 0
  // Aggregate on name ids, then look up only the names of the groups (tasks can number in the millions).
  const names = keys.map((k, i) =>
    k === 'day' || k === 'hour' ? `g.g${i}` : `(SELECT name FROM llm_names WHERE id = g.g${i})`,
  )
  const sql = `SELECT ${names.map((n, i) => `${n} AS k${i}`).join(', ')}, g.* FROM (SELECT ${keys.map((k, i) => `${COLUMN[k]} AS g${i}`).join(', ')},${tiered ? ` ${tierClassSql(tierThresholds)} AS tier,` : ''}
      count(*) AS calls, max(input_tokens) AS prompt, total(metered = 0 AND cost IS NULL) AS unmetered,
      total(input_tokens) AS input, total(output_tokens) AS output,
      total(cache_read_tokens) AS cache_read, total(cache_creation_tokens + cache_creation_1h_tokens) AS cache_creation,
      total(cost) AS span_cost, count(cost) AS span_cost_calls,
      total(CASE WHEN cost IS NULL THEN input_tokens END) AS u_input,
      total(CASE WHEN cost IS NULL THEN output_tokens END) AS u_output,
      total(CASE WHEN cost IS NULL THEN cache_read_tokens END) AS u_cache_read,
      total(CASE WHEN cost IS NULL THEN cache_creation_tokens + cache_creation_1h_tokens END) AS u_cache_creation,
      total(CASE WHEN cost IS NULL THEN cache_creation_1h_tokens END) AS u_cache_1h${options.withReasoning ? ',\n      total(CASE WHEN cost IS NULL THEN reasoning_tokens END) AS u_reasoning' : ''}
    FROM llm_calls WHERE ${where.join(' AND ')}
    GROUP BY ${keys.map((_, i) => `g${i}`).join(', ')}${tiered ? ', tier' : ''}) AS g`
  return { sql, params }
}

/**
 * The tier class of a call: how many of the thresholds its prompt exceeds (a CASE ladder, so the usual small
 * prompt stops at the first test). Thresholds are the price book's validated whole numbers.
 */
function tierClassSql(thresholds: readonly number[]): string {
  const steps = thresholds.map((t, i) => `WHEN input_tokens <= ${Math.trunc(t)} THEN ${i}`)
  return `CASE ${steps.join(' ')} ELSE ${thresholds.length} END`
}

/** True when the window covers under a quarter of the stored time range. */
function windowIsNarrow(db: DatabaseSync, filter: UsageFilter): boolean {
  // Two subqueries: SQLite answers a lone min() or max() from the index, but both in one SELECT by a scan.
  const range = db.prepare(
    'SELECT (SELECT min(start_ns) FROM llm_calls) AS lo, (SELECT max(start_ns) FROM llm_calls) AS hi',
  )
  range.setReadBigInts(true)
  const row = range.get() as { lo: bigint | null; hi: bigint | null }
  if (row.lo === null || row.hi === null) return true
  const stored = row.hi - row.lo + 1n
  // biome-ignore lint/complexity/useMathMinMax: bigint, which Math.max does not take
  const from = filter.sinceNs > row.lo ? filter.sinceNs : row.lo
  const to = filter.untilNs < row.hi + 1n ? filter.untilNs : row.hi + 1n
  return to <= from || (to - from) * 4n < stored
}
