import type { CedarValueJson } from '@cedar-policy/cedar-wasm/nodejs'
import {
  applicableEnvelopes,
  denyingEnvelope,
  type EnvelopeScope,
  type EnvelopeState,
} from '../cost/applicable-envelopes.js'
import { loadPrices } from '../cost/price-sources.js'
import { cedarDecimal } from './cedar-values.js'

export interface CostFigures {
  envelopes: EnvelopeState[]
  /** Cedar's `context.cost` (schema type Cost). */
  value: { [key: string]: CedarValueJson }
}

/**
 * `context.cost`: the envelopes that apply to the goblin and task (the figures of `goblin cost check`),
 * grouped as the goblin's (entries without a task) and the task's, by period; this call's estimate; whether
 * every envelope still has room for it (costGuard's verdict); and the model's price when the resource is a
 * model the price table knows.
 */
export async function costFigures(
  scope: EnvelopeScope & { estimateUsd?: number; model?: string },
): Promise<CostFigures> {
  const needsBook = scope.spend === undefined || scope.model !== undefined
  const book = scope.book ?? (needsBook ? (await loadPrices({ home: scope.home })).book : undefined)
  const envelopes = await applicableEnvelopes({ ...scope, ...(book ? { book } : {}) })
  const estimate = scope.estimateUsd ?? 0
  const value: { [key: string]: CedarValueJson } = {
    goblin: byPeriod(envelopes.filter((e) => e.task === null)),
    task: byPeriod(envelopes.filter((e) => e.task !== null)),
    within_budgets: denyingEnvelope(envelopes, estimate) === undefined,
  }
  if (scope.estimateUsd !== undefined) value.estimate_usd = cedarDecimal(scope.estimateUsd)
  const price = scope.model && book ? book.resolve(scope.model)?.price : undefined
  if (price) {
    value.price = {
      input_per_mtok: cedarDecimal(price.inputPerToken * 1e6),
      output_per_mtok: cedarDecimal(price.outputPerToken * 1e6),
    }
  }
  return { envelopes, value }
}

/** One envelope per period: the most used when several apply. */
function byPeriod(envelopes: EnvelopeState[]): { [key: string]: CedarValueJson } {
  const chosen = new Map<string, EnvelopeState>()
  for (const e of envelopes) {
    const held = chosen.get(e.period)
    if (!held || e.used > held.used) chosen.set(e.period, e)
  }
  const out: { [key: string]: CedarValueJson } = {}
  for (const [period, e] of chosen) {
    out[period] = {
      budget_usd: cedarDecimal(e.budgetUsd),
      spent_usd: cedarDecimal(e.spentUsd),
      remaining_usd: cedarDecimal(e.remainingUsd),
      used_percent: Math.floor(e.used * 100),
      status: e.status,
    }
  }
  return out
}
