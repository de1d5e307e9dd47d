import { loadProjectConfig } from '../core/config.js'
import type { Budget } from '../core/config-schema.js'
import {
  type EnvelopeResult,
  embeddedSpendReader,
  measureEnvelopes,
  type SpendReader,
} from './budget-check.js'
import { loadPrices } from './price-sources.js'
import { roundUsd } from './usage-cost.js'

export interface CostGuardOptions {
  /** The goblin about to call a model (`goblin.id`). */
  goblin?: string
  /** The task it works on (`task.id`). */
  task?: string
  /** What the coming call is expected to cost; it must fit in every envelope that applies. */
  estimatedUsd?: number
  /** Envelopes to apply; default: `cost.budgets` of goblin.config.json found from `cwd`. */
  budgets?: Budget[]
  cwd?: string
  /** GOBLIN_HOME holding the embedded span store; default: the GOBLIN_HOME environment variable or platform dir. */
  home?: string
  now?: Date
  /** Where spend is read from; default: the embedded span store, priced with the price tables. */
  spend?: SpendReader
}

export interface CostGuardDecision {
  /** False when any applicable envelope is exceeded, or would be by `estimatedUsd`. */
  allowed: boolean
  /** The envelopes that apply to this goblin and task, with what remains of each. */
  envelopes: Array<EnvelopeResult & { remainingUsd: number }>
  /** The first envelope that denies the call, in words (for a log line or an error). */
  reason?: string
}

/**
 * Asks whether a goblin's cost envelopes allow its next LLM call. An envelope applies when its `goblin`
 * and `task` (each optional) match. No applicable envelope means allowed.
 *
 * ```ts
 * const { allowed, reason } = await costGuard({ goblin: 'researcher', task: 'T-42', estimatedUsd: 0.02 })
 * if (!allowed) throw new Error(reason)
 * ```
 */
export async function costGuard(options: CostGuardOptions = {}): Promise<CostGuardDecision> {
  const budgets = options.budgets ?? loadProjectConfig(options.cwd).config.cost.budgets
  const applicable = budgets.filter(
    (b) =>
      (b.goblin === undefined || b.goblin === options.goblin) &&
      (b.task === undefined || b.task === options.task),
  )
  if (applicable.length === 0) return { allowed: true, envelopes: [] }
  const spend =
    options.spend ?? embeddedSpendReader((await loadPrices({ home: options.home })).book, options.home)
  const measured = await measureEnvelopes(applicable, spend, options.now ?? new Date())
  const estimate = Math.max(0, options.estimatedUsd ?? 0)
  const envelopes = measured.map((e) => ({
    ...e,
    remainingUsd: roundUsd(Math.max(0, e.budgetUsd - e.spentUsd)),
  }))
  const denying = envelopes.find(
    (e) => e.status === 'exceeded' || roundUsd(e.spentUsd + estimate) > e.budgetUsd,
  )
  if (!denying) return { allowed: true, envelopes }
  const who = [denying.goblin && `goblin ${denying.goblin}`, denying.task && `task ${denying.task}`]
    .filter(Boolean)
    .join(', ')
  return {
    allowed: false,
    envelopes,
    reason: `cost envelope ${who || '(all)'} per ${denying.period}: spent $${denying.spentUsd} of $${denying.budgetUsd}${estimate > 0 ? `, this call ~$${estimate}` : ''}`,
  }
}
