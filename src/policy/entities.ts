import { usageError } from '../core/errors.js'

/**
 * goblin's Cedar entities, named so that policies read the same everywhere: principals `Goblin::"<id>"`
 * (and `Agent::"claude-code"` for a coding agent without a goblin id), actions `Action::"tool.call"`,
 * `Action::"llm.call"`, `Action::"memory.write"`, `Action::"deploy"`, resources `Tool::"<name>"`,
 * `Model::"<model>"`, `Memory::"<store>"`, `Stage::"<stage>"`.
 */
export interface EntityRef {
  type: string
  id: string
}

export const ACTIONS = ['tool.call', 'llm.call', 'memory.write', 'deploy'] as const

/** The resource type each built-in action is about, for a bare resource name (`--resource Bash`). */
export const RESOURCE_TYPE_OF: Record<string, string> = {
  'tool.call': 'Tool',
  'llm.call': 'Model',
  'memory.write': 'Memory',
  deploy: 'Stage',
}

const TYPED = /^([A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)::("(?:[^"\\]|\\.)*")$/

/** `Type::"id"` as Cedar writes an entity. */
export function formatEntity(ref: EntityRef): string {
  return `${ref.type}::${JSON.stringify(ref.id)}`
}

/**
 * Reads an entity as a flag gives it: `Type::"id"`, or a bare id, which is a Goblin for a principal, an
 * Action for an action, and the action's resource type for a resource (`Bash` under tool.call is a Tool).
 */
export function parseEntity(
  text: string,
  role: 'principal' | 'action' | 'resource',
  action?: string,
): EntityRef {
  const typed = TYPED.exec(text)
  if (typed) {
    let id: unknown
    try {
      id = JSON.parse(typed[2] as string)
    } catch {
      id = undefined
    }
    if (typeof id === 'string') return { type: typed[1] as string, id }
  }
  if (text.includes('::') || text.length === 0) {
    throw usageError(
      'POLICY_BAD_ENTITY',
      `${role} ${JSON.stringify(text)} is not an entity: write Type::"id" (e.g. Tool::"Bash") or a bare id`,
      'Quote the id in double quotes after the type, as Cedar does: Goblin::"researcher".',
    )
  }
  if (role === 'principal') return { type: 'Goblin', id: text }
  if (role === 'action') return { type: 'Action', id: text }
  const type = action === undefined ? undefined : RESOURCE_TYPE_OF[action]
  if (!type) {
    throw usageError(
      'POLICY_BAD_ENTITY',
      `resource ${JSON.stringify(text)} needs its type: action ${action ?? '(none)'} has no default resource type`,
      'Write the resource as Type::"id", e.g. Stage::"prod".',
    )
  }
  return { type, id: text }
}
