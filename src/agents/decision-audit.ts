import type { JsonValue } from '../audit/canonical-json.js'
import { type AuditEvent, validateEvent } from '../audit/envelope.js'
import { isGoblinError } from '../core/errors.js'
import { type LogEvent, readToolDecision } from '../llm/read-log.js'

/**
 * A coding agent's tool decision as an audit event. The agents cannot sign, so the collector signs what
 * it received: the entry proves that the collector was sent this decision, by a process labelled with this
 * goblin id, no later than the entry's `ts`, and that nobody changed it after. It does not prove the agent
 * really decided so, nor that the tool then ran (or did not): anyone who can reach the collector's OTLP
 * port can send such a record.
 */

/** The attribute that names a decision once, so a retried OTLP request appends it once. */
export const DECISION_KEY_ATTR = 'goblin.tool_decision.key'

export interface DecisionAudit {
  event: AuditEvent
  /** Who sent it and which decision: the agent, its session, the tool call (or the agent's time of it). */
  key: string
}

/**
 * The audit event for a log record that reports a tool decision, or null for any other record (and for a
 * decision whose fields do not fit an envelope, e.g. a tool name past 1024 characters).
 */
export function decisionAudit(row: LogEvent): DecisionAudit | null {
  const d = readToolDecision(row)
  if (!d) return null
  const key = JSON.stringify([d.agent, d.session, d.callId ?? d.at, d.tool])
  const attrs: Record<string, JsonValue> = {
    agent: d.agent,
    'decision.source': d.source,
    'agent.decision': d.raw.decision,
    'agent.decision_source': d.raw.source,
    'session.id': d.session,
    'prompt.id': d.prompt,
    'tool.call_id': d.callId,
    'task.id': d.task,
    'agent.timestamp': d.at,
    [DECISION_KEY_ATTR]: key,
  }
  for (const [name, value] of Object.entries(attrs)) if (value === null) delete attrs[name]
  try {
    const event = validateEvent(
      {
        // Without `goblin agent run --goblin`, the sender's service name stands for the goblin.
        goblin_id: d.goblin ?? row.serviceName,
        action: `tool.${d.tool}`,
        decision: d.decision,
        trace_id: d.traceId,
        attrs,
      },
      `${d.agent} tool decision`,
    )
    return { event, key }
  } catch (error) {
    if (isGoblinError(error)) return null
    throw error
  }
}
