import { loadProjectConfig } from '../core/config.js'
import type { Budget } from '../core/config-schema.js'
import type { HookRunner, PluginProblem } from '../plugins/hook-runner.js'
import { periodWindow } from './budget-period.js'
import { readEmbeddedUsage } from './embedded-usage.js'
import type { PriceBook } from './price-book.js'
import { priceGroups } from './price-groups.js'
import { loadPrices } from './price-sources.js'
import { toUnixNano } from './time-window.js'
import { roundUsd } from './usage-cost.js'

export type EnvelopeStatus = 'ok' | 'warn' | 'exceeded'

/** One cost envelope measured against the spend of its current period. */
export interface EnvelopeResult {
  goblin: string | null
  task: string | null
  period: Budget['period']
  /** The current period, UTC: start inclusive, end exclusive. */
  periodStart: string
  periodEnd: string
  budgetUsd: number
  spentUsd: number
  /** spent / budget. */
  used: number
  warnAt: number
  /** `exceeded` when spent > budget; `warn` from warn_at x budget up to the budget itself. */
  status: EnvelopeStatus
  /** Calls of unknown models (not priced): the spend may be understated. */
  unknownModelCalls: number
}

export interface BudgetCheck {
  checkedAt: string
  config: string | null
  envelopes: EnvelopeResult[]
  summary: { ok: number; warn: number; exceeded: number }
  notes: string[]
  problems: PluginProblem[]
}

/** Spend of one envelope's scope in one window; the seam tests and the SDK guard use. */
export type SpendReader = (scope: {
  goblin?: string
  task?: string
  start: Date
  end: Date
}) => Promise<{ usd: number; unknownModelCalls: number; note?: string }>

/** Status of spending `spent` against a budget: strictly over is exceeded; exactly at the budget is a warning. */
export function envelopeStatus(spent: number, budget: number, warnAt: number): EnvelopeStatus {
  const s = roundUsd(spent)
  if (s > roundUsd(budget)) return 'exceeded'
  if (s >= roundUsd(budget * warnAt)) return 'warn'
  return 'ok'
}

/** Measures each envelope against the spend of the period containing `now` (UTC). */
export async function measureEnvelopes(
  budgets: Budget[],
  spend: SpendReader,
  now: Date,
): Promise<EnvelopeResult[]> {
  return Promise.all(
    budgets.map(async (budget) => {
      const window = periodWindow(budget.period, now)
      const spent = await spend({
        ...(budget.goblin === undefined ? {} : { goblin: budget.goblin }),
        ...(budget.task === undefined ? {} : { task: budget.task }),
        start: window.start,
        end: window.end,
      })
      const spentUsd = roundUsd(spent.usd)
      return {
        goblin: budget.goblin ?? null,
        task: budget.task ?? null,
        period: budget.period,
        periodStart: window.start.toISOString(),
        periodEnd: window.end.toISOString(),
        budgetUsd: budget.usd,
        spentUsd,
        used: budget.usd > 0 ? roundUsd(spentUsd / budget.usd) : 0,
        warnAt: budget.warn_at,
        status: envelopeStatus(spentUsd, budget.usd, budget.warn_at),
        unknownModelCalls: spent.unknownModelCalls,
      }
    }),
  )
}

/** A SpendReader over the embedded span store, priced with `book`. */
export function embeddedSpendReader(book: PriceBook, home?: string, notes?: string[]): SpendReader {
  return async (scope) => {
    const usage = await readEmbeddedUsage(
      [],
      {
        sinceNs: toUnixNano(scope.start),
        untilNs: toUnixNano(scope.end),
        ...(scope.goblin === undefined ? {} : { goblin: scope.goblin }),
        ...(scope.task === undefined ? {} : { task: scope.task }),
      },
      book,
      home,
    )
    if (usage.note && notes && !notes.includes(usage.note)) notes.push(usage.note)
    const priced = priceGroups(usage.groups, book, [])
    return { usd: priced.total.usd, unknownModelCalls: priced.total.unknownModelCalls }
  }
}

/**
 * `goblin cost check`: every envelope in goblin.config.json (`cost.budgets`) against the embedded store's
 * spend in its current UTC period.
 */
export async function checkBudgets(
  options: { hooks?: HookRunner; home?: string; cwd?: string; now?: Date } = {},
): Promise<BudgetCheck> {
  const now = options.now ?? new Date()
  const { path, config } = loadProjectConfig(options.cwd)
  const prices = await loadPrices({ home: options.home, hooks: options.hooks })
  const notes: string[] = []
  if (config.cost.budgets.length === 0) {
    notes.push(path ? `${path} declares no cost.budgets` : 'no goblin.config.json found: no budgets to check')
  }
  const envelopes = await measureEnvelopes(
    config.cost.budgets,
    embeddedSpendReader(prices.book, options.home, notes),
    now,
  )
  const summary = { ok: 0, warn: 0, exceeded: 0 }
  for (const e of envelopes) summary[e.status]++
  return { checkedAt: now.toISOString(), config: path, envelopes, summary, notes, problems: prices.problems }
}
