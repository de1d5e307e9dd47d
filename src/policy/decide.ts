import type { CedarValueJson } from '@cedar-policy/cedar-wasm/nodejs'
import { GoblinError } from '../core/errors.js'
import type { Cedar } from './cedar.js'
import { type EntityRef, formatEntity } from './entities.js'
import type { PolicySet } from './policy-set.js'

export interface DecisionRequest {
  principal: EntityRef
  action: EntityRef
  resource: EntityRef
  /** Already Cedar values (cedar-values.ts). */
  context: { [key: string]: CedarValueJson }
}

export interface PolicyDecision {
  decision: 'allow' | 'deny'
  /** True when a determining forbid carries `@ask`: a coding agent's hook asks the user instead. */
  ask: boolean
  /** The policies that determined the decision: the permits that allowed it, or the forbids that denied it. */
  policyIds: string[]
  /** Why, in words: each determining policy's `@reason`, else its id and place. */
  reasons: string[]
  /** Policies that failed to evaluate (and so did not apply), with where and why. */
  errors: Array<{ policyId: string; message: string }>
  policySetSha256: string
}

/**
 * Decides requests against one policy set, parsed once into Cedar's cache (keyed by the set's hash), so a
 * decision costs only the evaluation.
 */
export class PolicyEvaluator {
  constructor(
    private readonly cedar: Cedar,
    readonly set: PolicySet,
  ) {
    const staticPolicies = Object.fromEntries(set.policies.map((p) => [p.id, p.text]))
    const parsed = cedar.preparsePolicySet(set.sha256, { staticPolicies })
    if (parsed.type === 'failure') throw internal(parsed.errors.map((e) => e.message).join('; '))
  }

  decide(request: DecisionRequest): PolicyDecision {
    const answer = this.cedar.statefulIsAuthorized({
      principal: request.principal,
      action: request.action,
      resource: request.resource,
      context: request.context,
      preparsedPolicySetId: this.set.sha256,
      entities: [entity(request.principal), entity(request.resource)],
    })
    if (answer.type === 'failure') {
      throw new GoblinError(
        'POLICY_BAD_REQUEST',
        `Cedar refused the request: ${answer.errors.map((e) => e.message).join('; ')}`,
        { hint: 'Check the principal, action, resource and context.' },
      )
    }
    const { decision, diagnostics } = answer.response
    const determining = diagnostics.reason.map((id) => this.set.byId.get(id)).filter((p) => p !== undefined)
    const reasons = determining.map((p) => {
      if (p.reason) return p.reason
      const place = `${p.file}:${p.line}`
      return `${p.effect === 'forbid' ? 'forbidden' : 'permitted'} by ${p.id}${p.id === place ? '' : ` (${place})`}`
    })
    if (decision === 'deny' && determining.length === 0) {
      reasons.push(
        `no policy permits ${formatEntity(request.principal)} to ${request.action.id} ${formatEntity(request.resource)}` +
          (this.set.policies.length === 0 ? ' (the policy set is empty)' : ''),
      )
    }
    return {
      decision,
      ask: decision === 'deny' && determining.some((p) => p.ask),
      policyIds: diagnostics.reason,
      reasons,
      errors: diagnostics.errors.map(({ policyId, error }) => {
        const policy = this.set.byId.get(policyId)
        return {
          policyId,
          message: policy ? `${policy.file}:${policy.line}: ${error.message}` : error.message,
        }
      }),
      policySetSha256: this.set.sha256,
    }
  }
}

/** The request's entities: each with its id as `name` (for patterns), without parents. */
function entity(ref: EntityRef) {
  return { uid: { type: ref.type, id: ref.id }, attrs: { name: ref.id }, parents: [] }
}

function internal(message: string): GoblinError {
  return new GoblinError('POLICY_INTERNAL', `Cedar could not load a policy set it had parsed: ${message}`)
}
