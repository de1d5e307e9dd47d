import type { Attributes, Span } from '@opentelemetry/api'
import type { JsonValue } from '../audit/canonical-json.js'
import type { AuditEvent } from '../audit/envelope.js'
import type { PolicyDecision } from './decide.js'
import { type EntityRef, formatEntity } from './entities.js'

/**
 * How a decision is recorded, the same from the SDK guard and the coding-agent hooks: as an audit event
 * (signed by whoever appends it) and on a span (which the collector counts in
 * `goblin_policy_decisions_total`).
 */

/** The span event that carries one decision; the collector counts these. */
export const DECISION_EVENT = 'goblin.policy.decision'

export interface RecordedDecision {
  /** The envelope's `goblin_id`: the goblin, or the agent when no goblin id is known. */
  goblinId: string
  principal: EntityRef
  action: string
  resource: EntityRef
  /** `ask` when a hook asks the user instead of denying (a forbid marked `@ask`). */
  verdict: 'allow' | 'deny' | 'ask'
  decision: PolicyDecision
  traceId: string | null
}

/** The audit event of a decision: `attrs` hold the policy set's SHA-256 and the determining policy ids. */
export function decisionEvent(d: RecordedDecision, extra: Record<string, JsonValue> = {}): AuditEvent {
  return {
    goblin_id: d.goblinId,
    action: d.action,
    decision: d.verdict,
    trace_id: d.traceId,
    attrs: {
      principal: formatEntity(d.principal),
      resource: formatEntity(d.resource),
      'policy.set_sha256': d.decision.policySetSha256,
      'policy.ids': d.decision.policyIds,
      'policy.reasons': d.decision.reasons,
      ...(d.decision.errors.length > 0 ? { 'policy.errors': d.decision.errors.map((e) => e.message) } : {}),
      ...extra,
    },
  }
}

/**
 * Records a decision on a span: the latest as `goblin.policy.*` attributes, every one as a
 * `goblin.policy.decision` event whose `decision`, `goblin` and `action` attributes are the labels of
 * `goblin_policy_decisions_total` (goblin's collector and the stack's count connector read them).
 */
export function recordDecisionOnSpan(span: Span, d: RecordedDecision): void {
  const principal = formatEntity(d.principal)
  const resource = formatEntity(d.resource)
  const { policyIds, policySetSha256 } = d.decision
  span.setAttributes({
    'goblin.policy.decision': d.verdict,
    'goblin.policy.action': d.action,
    'goblin.policy.principal': principal,
    'goblin.policy.resource': resource,
    'goblin.policy.ids': policyIds,
    'goblin.policy.set_sha256': policySetSha256,
  })
  span.addEvent(DECISION_EVENT, {
    decision: d.verdict,
    goblin: d.goblinId,
    action: d.action,
    principal,
    resource,
    'policy.ids': policyIds,
    'policy.set_sha256': policySetSha256,
  } satisfies Attributes)
}
