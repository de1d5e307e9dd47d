import { usageError } from '../core/errors.js'
import type { PolicyDecision } from './decide.js'
import { type EntityRef, formatEntity, parseEntity } from './entities.js'
import { evaluateQuery } from './evaluate.js'
import { loadPolicies } from './load-policies.js'

export interface PolicyCheck extends PolicyDecision {
  principal: string
  action: string
  resource: string
  files: string[]
}

/**
 * `goblin policy check`: one request decided by the project's policies. `context.cost` is measured when a
 * policy reads it and `--context` gives none; the trace id comes from TRACEPARENT when the context has none.
 */
export async function checkPolicy(options: {
  principal: string
  action: string
  resource: string
  context?: string
  cwd?: string
  env?: NodeJS.ProcessEnv
}): Promise<PolicyCheck> {
  const principal = parseEntity(options.principal, 'principal')
  const action = parseEntity(options.action, 'action')
  if (action.type !== 'Action')
    throw usageError(
      'POLICY_BAD_ENTITY',
      `--action ${options.action}: an action is Action::"id" or a bare id`,
    )
  const resource = parseEntity(options.resource, 'resource', action.id)
  const context = options.context === undefined ? undefined : parseContext(options.context)
  const { evaluator } = await loadPolicies(options.cwd)
  const traceparent = /^00-([0-9a-f]{32})-/.exec((options.env ?? process.env).TRACEPARENT ?? '')
  const decision = await evaluateQuery(evaluator, {
    principal,
    action: action.id,
    resource,
    context,
    traceId: traceparent?.[1],
    cwd: options.cwd,
  })
  const { context: _context, ...rest } = decision
  return { ...rest, ...names(principal, action, resource), files: evaluator.set.files }
}

function names(principal: EntityRef, action: EntityRef, resource: EntityRef) {
  return {
    principal: formatEntity(principal),
    action: formatEntity(action),
    resource: formatEntity(resource),
  }
}

function parseContext(text: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw usageError('POLICY_BAD_CONTEXT', `--context is not valid JSON: ${(error as Error).message}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw usageError(
      'POLICY_BAD_CONTEXT',
      '--context must be a JSON object, e.g. {"input": {"command": "ls"}}',
    )
  return value as Record<string, unknown>
}
