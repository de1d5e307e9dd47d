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
 * `goblin policy hook claude`: Claude Code's PreToolUse hook. Claude Code writes the tool call as JSON on
 * stdin (session_id, cwd, tool_name, tool_input, tool_use_id); the hook decides it with the project's
 * policies (principal the goblin, else Agent::"claude-code"; action tool.call; resource Tool::"<tool>";
 * context.input the tool input) and answers in Claude Code's hook output format. The decision is signed into
 * the audit log with the session id when a signing key is configured.
 *
 * It fails closed: any error (unreadable input, a broken policy file, a failed signature) is a deny, with
 * exit code 2, which Claude Code treats as "block" whatever it makes of stdout.
 */

interface ClaudeHookInput {
  session_id: string
  tool_name: string
  tool_input: Record<string, unknown>
  tool_use_id?: string
  cwd?: string
}

export type HookVerdict = 'allow' | 'deny' | 'ask'

/** Claude Code's PreToolUse answer. */
export interface ClaudeHookOutput {
  hookSpecificOutput: {
    hookEventName: 'PreToolUse'
    permissionDecision: HookVerdict
    permissionDecisionReason: string
  }
}

export interface ClaudeHookAnswer {
  output: ClaudeHookOutput
  /** True when the hook failed closed: the caller exits 2. */
  failed: boolean
  /** What was decided and recorded (null when the hook failed before a decision). */
  recorded: RecordedDecision | null
  /** The signed audit entry; null when no signing key is configured (or the hook failed). */
  entry: AppendedEntry | null
}

export interface ClaudeHookOptions {
  stdin: string
  /** `--goblin`; else goblin.id of OTEL_RESOURCE_ATTRIBUTES (goblin agent run sets it). */
  goblin?: string
  /** `--task`; else task.id of OTEL_RESOURCE_ATTRIBUTES. */
  task?: string
  env: NodeJS.ProcessEnv
  cwd: string
}

/** Answers one PreToolUse call; never throws (fails closed). */
export async function answerClaudeHook(options: ClaudeHookOptions): Promise<ClaudeHookAnswer> {
  try {
    return await decideClaudeHook(options)
  } catch (error) {
    const why = isGoblinError(error) ? error.message : `unexpected error: ${(error as Error).message}`
    return {
      output: hookOutput('deny', `goblin policy hook failed closed: ${why}`),
      failed: true,
      recorded: null,
      entry: null,
    }
  }
}

async function decideClaudeHook(options: ClaudeHookOptions): Promise<ClaudeHookAnswer> {
  const input = parseHookInput(options.stdin)
  const cwd = input.cwd ?? options.cwd
  const resource = resourceAttributes(options.env.OTEL_RESOURCE_ATTRIBUTES)
  const goblin = options.goblin ?? resource['goblin.id']
  const principal: EntityRef = goblin ? { type: 'Goblin', id: goblin } : { type: 'Agent', id: 'claude-code' }
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
  const verdict: HookVerdict = decision.decision === 'allow' ? 'allow' : decision.ask ? 'ask' : 'deny'
  const recorded: RecordedDecision = {
    goblinId: goblin ?? 'claude-code',
    principal,
    action: 'tool.call',
    resource: tool,
    verdict,
    decision,
    traceId: traceId ?? null,
  }
  const extra: Record<string, JsonValue> = { agent: 'claude-code', 'session.id': input.session_id }
  if (input.tool_use_id) extra['tool.call_id'] = input.tool_use_id
  if (task) extra['task.id'] = task
  const entry = await signDecision(decisionEvent(recorded, extra), cwd)
  return { output: hookOutput(verdict, decision.reasons.join('; ')), failed: false, recorded, entry }
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

function hookOutput(verdict: HookVerdict, reason: string): ClaudeHookOutput {
  return {
    hookSpecificOutput: {
      hookEventName: 'PreToolUse',
      permissionDecision: verdict,
      permissionDecisionReason: reason,
    },
  }
}

/** The hook's stdin, checked field by field: it is written by Claude Code, but its tool_input by a model. */
function parseHookInput(text: string): ClaudeHookInput {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw badInput(`stdin is not JSON (${(error as Error).message})`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badInput('stdin is not a JSON object')
  const v = value as Record<string, unknown>
  if (v.hook_event_name !== undefined && v.hook_event_name !== 'PreToolUse')
    throw badInput(
      `hook_event_name is ${JSON.stringify(v.hook_event_name)}: this hook answers PreToolUse only`,
    )
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
    `the PreToolUse input: ${why}`,
    'Run goblin policy hook claude as a Claude Code PreToolUse hook (goblin agent run claude --policy sets it up).',
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
