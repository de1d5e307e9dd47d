import type { CedarValueJson } from '@cedar-policy/cedar-wasm/nodejs'
import type { Budget } from '../core/config-schema.js'
import type { SpendReader } from '../cost/budget-check.js'
import { costFigures } from './cost-context.js'
import type { PolicyDecision, PolicyEvaluator } from './decide.js'
import type { EntityRef } from './entities.js'
import { requestContext } from './request-context.js'

/** What a decision is asked about: who, what, on what, with which context. */
export interface PolicyQuery {
  principal: EntityRef
  /** The action id (`tool.call`): Cedar's `Action::"tool.call"`. */
  action: string
  resource: EntityRef
  /** The caller's context (JSON): `input`, `task`, `trace_id`, `time`, fields of its own. */
  context?: Record<string, unknown>
  traceId?: string | null
  task?: string
  sessionId?: string
  /** This call's expected cost (USD), for `context.cost.estimate_usd`. */
  estimateUsd?: number
  now?: Date
  /** For `context.cost`: where goblin.config.json is found, GOBLIN_HOME, and seams for tests. */
  cwd?: string
  home?: string
  budgets?: Budget[]
  spend?: SpendReader
  /** `context.cost` already measured (Cedar values), used instead of measuring it again. */
  cost?: { [key: string]: CedarValueJson }
}

export interface EvaluatedDecision extends PolicyDecision {
  /** The Cedar context the decision was made with. */
  context: { [key: string]: CedarValueJson }
}

/**
 * Decides one query. `context.cost` is measured (the embedded store's spend against the envelopes) only
 * when a policy of the set reads it and the caller gave none: a set that never mentions cost costs no
 * store read.
 */
export async function evaluateQuery(
  evaluator: PolicyEvaluator,
  query: PolicyQuery,
): Promise<EvaluatedDecision> {
  const task = query.task ?? (typeof query.context?.task === 'string' ? query.context.task : undefined)
  const cost =
    query.cost ??
    (evaluator.set.readsCost && query.context?.cost === undefined
      ? (
          await costFigures({
            goblin: query.principal.type === 'Goblin' ? query.principal.id : undefined,
            task,
            model: query.resource.type === 'Model' ? query.resource.id : undefined,
            estimateUsd: query.estimateUsd,
            cwd: query.cwd,
            home: query.home,
            budgets: query.budgets,
            spend: query.spend,
            now: query.now,
          })
        ).value
      : undefined)
  const context = requestContext({
    given: query.context,
    now: query.now,
    traceId: query.traceId,
    task,
    sessionId: query.sessionId,
    cost,
  })
  const decision = evaluator.decide({
    principal: query.principal,
    action: { type: 'Action', id: query.action },
    resource: query.resource,
    context,
  })
  return { ...decision, context }
}
