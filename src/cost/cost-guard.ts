import type { Budget } from '../core/config-schema.js'
import { costFigures } from '../policy/cost-context.js'
import { decideGuarded } from '../policy/guard.js'
import type { AuditEmitter } from '../telemetry/audit-emitter.js'
import { denyingEnvelope, type EnvelopeState, envelopeDenial } from './applicable-envelopes.js'
import type { SpendReader } from './budget-check.js'

export interface CostGuardOptions {
  /** The goblin about to call a model (`goblin.id`). */
  goblin?: string
  /** The task it works on (`task.id`). */
  task?: string
  /** The model it is about to call (the decision's `Model::"..."`, and `context.cost.price`). */
  model?: string
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
  /** Signs the decision into the audit log (as guard does). */
  audit?: AuditEmitter
}

export interface CostGuardDecision {
  /** False when any applicable envelope is exceeded, or would be by `estimatedUsd`. */
  allowed: boolean
  /** The envelopes that apply to this goblin and task, with what remains of each. */
  envelopes: EnvelopeState[]
  /** The first envelope that denies the call, in words (for a log line or an error). */
  reason?: string
  /** The budget policy that decided (goblin.budget.within or goblin.budget.exceeded). */
  policyIds: string[]
  policySetSha256: string
}

/**
 * Budgets as a Cedar policy: the one rule costGuard applies, over the same `context.cost` every policy
 * can read. A project's own policies can say more (docs/policy.md, "A model ceiling tied to the envelope").
 */
export const BUDGET_POLICY = `@id("goblin.budget.within")
permit(principal, action == Action::"llm.call", resource) when { context.cost.within_budgets };
@id("goblin.budget.exceeded")
@reason("a cost envelope is spent")
forbid(principal, action == Action::"llm.call", resource) unless { context.cost.within_budgets };
`

/**
 * Asks whether a goblin's cost envelopes allow its next LLM call: guard with the budget policy, so the
 * decision is recorded on the active span and (with `audit`) signed like any other. An envelope applies
 * when its `goblin` and `task` (each optional) match; no applicable envelope means allowed.
 *
 * ```ts
 * const { allowed, reason } = await costGuard({ goblin: 'researcher', task: 'T-42', estimatedUsd: 0.02 })
 * if (!allowed) throw new Error(reason)
 * ```
 */
export async function costGuard(options: CostGuardOptions = {}): Promise<CostGuardDecision> {
  const estimate = Math.max(0, options.estimatedUsd ?? 0)
  const figures = await costFigures({ ...options, estimateUsd: estimate })
  const decision = await decideGuarded(
    {
      goblinId: options.goblin ?? 'unknown',
      action: 'llm.call',
      resource: { type: 'Model', id: options.model ?? 'unspecified' },
      task: options.task,
      policies: BUDGET_POLICY,
      audit: options.audit,
      now: options.now,
    },
    figures.value,
  )
  const denying = decision.allowed ? undefined : denyingEnvelope(figures.envelopes, estimate)
  return {
    allowed: decision.allowed,
    envelopes: figures.envelopes,
    ...(denying ? { reason: envelopeDenial(denying, estimate) } : {}),
    policyIds: decision.policyIds,
    policySetSha256: decision.policySetSha256,
  }
}
