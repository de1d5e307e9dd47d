import type { JsonValue } from '../audit/canonical-json.js'
import { keyringSigningSession, keyStatus, loadKeyring } from '../audit/keyring.js'
import { type AppendedEntry, appendEvents } from '../audit/ledger.js'
import { resolveAuditLocations } from '../audit/locations.js'
import { isGoblinError, usageError } from '../core/errors.js'
import { decisionEvent, type RecordedDecision } from './decision-record.js'
import type { EntityRef } from './entities.js'
import { evaluateQuery } from './evaluate.js'
import { loadPolicies } from './load-policies.js'

/**
 * `goblin policy hook claude|gemini|codex`: a coding agent's before-tool hook (Claude Code's and Codex
 * CLI's PreToolUse, Gemini CLI's BeforeTool). The agent writes the tool call as JSON on stdin (session_id,
 * cwd, tool_name, tool_input, and Claude Code's and Codex's tool_use_id); the hook decides it with the
 * project's policies (principal the goblin, else Agent::"<agent>"; action tool.call; resource
 * Tool::"<tool>"; context.input the tool input) and answers in the agent's hook output format. The
 * decision is signed into the audit log with the session id when a signing key is configured.
 *
 * It fails closed: any error (unreadable input, a broken policy file, a failed signature) is a deny, with
 * exit code 2 and the reason on stderr, which all three agents treat as "block" whatever they make of
 * stdout.
 */

/** One agent's hook protocol: its name for the event, and its answer. */
export interface HookProtocol {
  agent: 'claude-code' | 'gemini-cli' | 'codex'
  event: string
  /** False when the agent has no "ask the user" answer: an ask is then a deny, said so in its reason. */
  canAsk: boolean
  answer(verdict: HookVerdict, reason: string): object
}

export const HOOK_PROTOCOLS = {
  claude: {
    agent: 'claude-code',
    event: 'PreToolUse',
    canAsk: true,
    answer: (verdict, reason) => ({
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: verdict,
        permissionDecisionReason: reason,
      },
    }),
  },
  gemini: {
    agent: 'gemini-cli',
    event: 'BeforeTool',
    canAsk: true,
    answer: (verdict, reason) => ({ decision: verdict, reason }),
  },
  // Codex CLI 0.171 takes only a deny (with a non-empty reason) from a PreToolUse hook: it treats
  // permissionDecision "allow" without updatedInput, and "ask", as a failed hook and runs the tool. An allow
  // is therefore an empty answer (Codex's own approval settings then apply), and an ask a deny.
  codex: {
    agent: 'codex',
    event: 'PreToolUse',
    canAsk: false,
    answer: (verdict, reason) =>
      verdict === 'allow'
        ? {}
        : {
            hookSpecificOutput: {
              hookEventName: 'PreToolUse',
              permissionDecision: 'deny',
              permissionDecisionReason: reason,
            },
          },
  },
} as const satisfies Record<string, HookProtocol>

interface HookInput {
  session_id: string
  tool_name: string
  tool_input: Record<string, unknown>
  tool_use_id?: string
  cwd?: string
}

export type HookVerdict = 'allow' | 'deny' | 'ask'

export interface HookAnswer {
  /** The agent's answer (its JSON on stdout). */
  output: object
  verdict: HookVerdict
  reason: string
  /** True when the hook failed closed: the caller exits 2. */
  failed: boolean
  /** What was decided and recorded (null when the hook failed before a decision). */
  recorded: RecordedDecision | null
  /** The signed audit entry; null when no signing key is configured (or the hook failed). */
  entry: AppendedEntry | null
}

export interface HookOptions {
  protocol: HookProtocol
  stdin: string
  /** `--goblin`; else goblin.id of OTEL_RESOURCE_ATTRIBUTES (goblin agent run sets it). */
  goblin?: string
  /** `--task`; else task.id of OTEL_RESOURCE_ATTRIBUTES. */
  task?: string
  env: NodeJS.ProcessEnv
  cwd: string
}

/** Answers one before-tool call; never throws (fails closed). */
export async function answerToolHook(options: HookOptions): Promise<HookAnswer> {
  try {
    return await decideToolHook(options)
  } catch (error) {
    const why = isGoblinError(error) ? error.message : `unexpected error: ${(error as Error).message}`
    const reason = `goblin policy hook failed closed: ${why}`
    return {
      output: options.protocol.answer('deny', reason),
      verdict: 'deny',
      reason,
      failed: true,
      recorded: null,
      entry: null,
    }
  }
}

async function decideToolHook(options: HookOptions): Promise<HookAnswer> {
  const { protocol } = options
  const input = parseHookInput(options.stdin, protocol.event)
  const cwd = input.cwd ?? options.cwd
  const resource = resourceAttributes(options.env.OTEL_RESOURCE_ATTRIBUTES)
  const goblin = options.goblin ?? resource['goblin.id']
  const principal: EntityRef = goblin ? { type: 'Goblin', id: goblin } : { type: 'Agent', id: protocol.agent }
  const task = options.task ?? resource['task.id']
  const traceId = /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(
    options.env.TRACEPARENT?.trim() ?? '',
  )?.[1]
  const { evaluator } = await loadPolicies(cwd)
  const tool: EntityRef = { type: 'Tool', id: input.tool_name }
  const decision = await evaluateQuery(evaluator, {
    principal,
    action: 'tool.call',
    resource: tool,
    context: { input: input.tool_input },
    traceId: traceId ?? null,
    task,
    sessionId: input.session_id,
    cwd,
  })
  const asks = decision.ask
  const verdict: HookVerdict =
    decision.decision === 'allow' ? 'allow' : asks && protocol.canAsk ? 'ask' : 'deny'
  const recorded: RecordedDecision = {
    goblinId: goblin ?? protocol.agent,
    principal,
    action: 'tool.call',
    resource: tool,
    verdict,
    decision,
    traceId: traceId ?? null,
  }
  const extra: Record<string, JsonValue> = { agent: protocol.agent, 'session.id': input.session_id }
  if (input.tool_use_id) extra['tool.call_id'] = input.tool_use_id
  if (task) extra['task.id'] = task
  const entry = await signDecision(decisionEvent(recorded, extra), cwd)
  const reason = [
    ...decision.reasons,
    ...(asks && !protocol.canAsk ? [`denied: ${protocol.agent} cannot ask the user from a hook`] : []),
  ].join('; ')
  return { output: protocol.answer(verdict, reason), verdict, reason, failed: false, recorded, entry }
}

/**
 * Appends the decision to the audit log when a signing key is configured (an active key in the keyring);
 * with none, the decision stands unsigned. A key that is configured but cannot sign fails the hook.
 */
async function signDecision(
  event: ReturnType<typeof decisionEvent>,
  cwd: string,
): Promise<AppendedEntry | null> {
  const where = resolveAuditLocations({}, cwd)
  const keyring = loadKeyring(where.keysDir)
  if (!keyring.keys.some((k) => keyStatus(k) === 'active')) return null
  const [entry] = await appendEvents(
    where.ledgerDir,
    [event],
    keyringSigningSession(where.keysDir, where.keyName),
  )
  return entry ?? null
}

/** The hook's stdin, checked field by field: it is written by the agent, but its tool_input by a model. */
function parseHookInput(text: string, event: string): HookInput {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw badInput(`stdin is not JSON (${(error as Error).message})`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badInput('stdin is not a JSON object')
  const v = value as Record<string, unknown>
  if (v.hook_event_name !== undefined && v.hook_event_name !== event)
    throw badInput(`hook_event_name is ${JSON.stringify(v.hook_event_name)}: this hook answers ${event} only`)
  for (const field of ['session_id', 'tool_name'] as const)
    if (typeof v[field] !== 'string' || v[field] === '') throw badInput(`${field} is missing or not a string`)
  const toolInput = v.tool_input ?? {}
  if (typeof toolInput !== 'object' || toolInput === null || Array.isArray(toolInput))
    throw badInput('tool_input is not a JSON object')
  return {
    session_id: v.session_id as string,
    tool_name: v.tool_name as string,
    tool_input: toolInput as Record<string, unknown>,
    ...(typeof v.tool_use_id === 'string' ? { tool_use_id: v.tool_use_id } : {}),
    ...(typeof v.cwd === 'string' && v.cwd !== '' ? { cwd: v.cwd } : {}),
  }
}

function badInput(why: string) {
  return usageError(
    'POLICY_BAD_HOOK_INPUT',
    `the hook input: ${why}`,
    "Run goblin policy hook claude, gemini or codex as the agent's before-tool hook (docs/policy.md).",
  )
}

/** `k=v,k=v` of OTEL_RESOURCE_ATTRIBUTES, values percent-decoded. */
function resourceAttributes(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of (text ?? '').split(',')) {
    const at = pair.indexOf('=')
    if (at <= 0) continue
    try {
      out[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim())
    } catch {
      // A malformed escape: that attribute is not one goblin reads.
    }
  }
  return out
}
