import type { CedarValueJson } from '@cedar-policy/cedar-wasm/nodejs'
import { trace } from '@opentelemetry/api'
import type { Envelope } from '../audit/envelope.js'
import type { Budget } from '../core/config-schema.js'
import { usageError } from '../core/errors.js'
import type { SpendReader } from '../cost/budget-check.js'
import type { AuditEmitter } from '../telemetry/audit-emitter.js'
import { loadCedar } from './cedar.js'
import { PolicyEvaluator } from './decide.js'
import { decisionEvent, type RecordedDecision, recordDecisionOnSpan } from './decision-record.js'
import { type EntityRef, parseEntity } from './entities.js'
import { evaluateQuery } from './evaluate.js'
import { currentPolicies, formatProblem } from './load-policies.js'
import { parsePolicySet } from './policy-set.js'

export interface GuardRequest {
  /** The goblin asking (`Goblin::"<id>"`). */
  goblinId: string
  /** `tool.call`, `llm.call`, `memory.write`, `deploy`, or an action of your schema. */
  action: string
  /** `Tool::"Bash"`, or a bare id of the action's resource type (`Bash` under tool.call). */
  resource: string | EntityRef
  /** The request context: `input` (the tool's input), `task`, fields of your own. */
  context?: Record<string, unknown>
  task?: string
  /** This call's expected cost in USD (`context.cost.estimate_usd`). */
  estimateUsd?: number
  /** Signs each decision into the audit log through the collector (auditEmitter). */
  audit?: AuditEmitter
  /** Where goblin.config.json (and so the policies) is found; default the working directory. */
  cwd?: string
  /** Decide by this Cedar text instead of the project's policy files. */
  policies?: string
  home?: string
  now?: Date
  budgets?: Budget[]
  spend?: SpendReader
}

export interface GuardDecision {
  allowed: boolean
  reasons: string[]
  /** The policies that determined the decision. */
  policyIds: string[]
  policySetSha256: string
  /** Policies that failed to evaluate (and so did not apply). */
  errors: Array<{ policyId: string; message: string }>
  /** The signed audit envelope, when `audit` was given. */
  envelope?: Envelope
}

/**
 * `guard`: asks the project's Cedar policies whether a goblin may do something, records the decision on
 * the active span, and, with an audit emitter, signs it into the audit log (the policy set's SHA-256 and
 * the determining policy ids in `attrs`). The policy files are parsed once and again when they change.
 *
 * ```ts
 * const { allowed, reasons } = await guard({ goblinId: 'researcher', action: 'tool.call', resource: 'Bash', context: { input: { command } } })
 * if (!allowed) throw new Error(reasons.join('; '))
 * ```
 */
export function guard(request: GuardRequest): Promise<GuardDecision> {
  return decideGuarded(request)
}

/** guard, with `context.cost` already measured (costGuard measures it once for its own answer too). */
export async function decideGuarded(
  request: GuardRequest,
  cost?: { [key: string]: CedarValueJson },
): Promise<GuardDecision> {
  const evaluator =
    request.policies === undefined
      ? (await currentPolicies(request.cwd)).evaluator
      : await inline(request.policies)
  const principal: EntityRef = { type: 'Goblin', id: request.goblinId }
  const resource =
    typeof request.resource === 'string'
      ? parseEntity(request.resource, 'resource', request.action)
      : request.resource
  const span = trace.getActiveSpan()
  const spanTrace = span?.spanContext().traceId
  const traceId = spanTrace && !/^0+$/.test(spanTrace) ? spanTrace : null
  const decision = await evaluateQuery(evaluator, {
    principal,
    action: request.action,
    resource,
    context: request.context,
    traceId,
    task: request.task,
    estimateUsd: request.estimateUsd,
    cwd: request.cwd,
    home: request.home,
    now: request.now,
    budgets: request.budgets,
    spend: request.spend,
    cost,
  })
  const recorded: RecordedDecision = {
    goblinId: request.goblinId,
    principal,
    action: request.action,
    resource,
    verdict: decision.decision,
    decision,
    traceId,
  }
  if (span) recordDecisionOnSpan(span, recorded)
  const result: GuardDecision = {
    allowed: decision.decision === 'allow',
    reasons: decision.reasons,
    policyIds: decision.policyIds,
    policySetSha256: decision.policySetSha256,
    errors: decision.errors,
  }
  if (request.audit) {
    const event = decisionEvent(recorded, request.task ? { 'task.id': request.task } : {})
    result.envelope = await request.audit.emit({
      action: event.action,
      decision: event.decision,
      traceId: event.trace_id,
      ...(event.attrs ? { attrs: event.attrs } : {}),
    })
  }
  return result
}

const inlineSets = new Map<string, PolicyEvaluator>()

/** An evaluator over Cedar text given in code (costGuard's budget policy), parsed once per text. */
async function inline(text: string): Promise<PolicyEvaluator> {
  const held = inlineSets.get(text)
  if (held) return held
  const cedar = await loadCedar()
  const { set, problems } = parsePolicySet(cedar, [{ name: '(inline)', path: '(inline)', text }])
  if (!set)
    throw usageError('POLICY_INVALID', formatProblem(problems[0] as NonNullable<(typeof problems)[0]>))
  const evaluator = new PolicyEvaluator(cedar, set)
  inlineSets.set(text, evaluator)
  return evaluator
}
