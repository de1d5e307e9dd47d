import { loadProjectConfig } from '../core/config.js'
import type { Budget } from '../core/config-schema.js'
import {
  type EnvelopeResult,
  embeddedSpendReader,
  measureEnvelopes,
  type SpendReader,
} from './budget-check.js'
import type { PriceBook } from './price-book.js'
import { loadPrices } from './price-sources.js'
import { roundUsd } from './usage-cost.js'

/** An envelope that applies to a goblin's next call, measured as `goblin cost check` measures it. */
export type EnvelopeState = EnvelopeResult & { remainingUsd: number }

export interface EnvelopeScope {
  goblin?: string
  task?: string
  /** Envelopes to apply; default: `cost.budgets` of goblin.config.json found from `cwd`. */
  budgets?: Budget[]
  cwd?: string
  /** GOBLIN_HOME holding the embedded span store; default: the GOBLIN_HOME environment variable or platform dir. */
  home?: string
  now?: Date
  /** Where spend is read from; default: the embedded span store, priced with the price tables. */
  spend?: SpendReader
  /** The prices the default spend reader uses (loaded when not given). */
  book?: PriceBook
}

/**
 * The envelopes that apply to this goblin and task (an envelope applies when its `goblin` and `task`,
 * each optional, match), each measured against its current period.
 */
export async function applicableEnvelopes(scope: EnvelopeScope): Promise<EnvelopeState[]> {
  const budgets = scope.budgets ?? loadProjectConfig(scope.cwd).config.cost.budgets
  const applicable = budgets.filter(
    (b) =>
      (b.goblin === undefined || b.goblin === scope.goblin) &&
      (b.task === undefined || b.task === scope.task),
  )
  if (applicable.length === 0) return []
  const spend =
    scope.spend ??
    embeddedSpendReader(scope.book ?? (await loadPrices({ home: scope.home })).book, scope.home)
  const measured = await measureEnvelopes(applicable, spend, scope.now ?? new Date())
  return measured.map((e) => ({ ...e, remainingUsd: roundUsd(Math.max(0, e.budgetUsd - e.spentUsd)) }))
}

/** The first envelope that is exceeded, or would be by a call costing `estimateUsd`. */
export function denyingEnvelope(envelopes: EnvelopeState[], estimateUsd: number): EnvelopeState | undefined {
  const estimate = Math.max(0, estimateUsd)
  return envelopes.find((e) => e.status === 'exceeded' || roundUsd(e.spentUsd + estimate) > e.budgetUsd)
}

/** Why an envelope denies a call, in words (for a log line or an error). */
export function envelopeDenial(envelope: EnvelopeState, estimateUsd: number): string {
  const who = [envelope.goblin && `goblin ${envelope.goblin}`, envelope.task && `task ${envelope.task}`]
    .filter(Boolean)
    .join(', ')
  const call = estimateUsd > 0 ? `, this call ~$${estimateUsd}` : ''
  return `cost envelope ${who || '(all)'} per ${envelope.period}: spent $${envelope.spentUsd} of $${envelope.budgetUsd}${call}`
}
