import type { CedarValueJson } from '@cedar-policy/cedar-wasm/nodejs'
import { usageError } from '../core/errors.js'
import { cedarDatetime, toCedarRecord } from './cedar-values.js'

export interface ContextParts {
  /** The caller's context (JSON): `input`, `task`, `trace_id`, any field of its own; `time` may be an RFC 3339 time. */
  given?: Record<string, unknown>
  now?: Date
  traceId?: string | null
  task?: string
  sessionId?: string
  /** `context.cost` (cost-context.ts), when the policy set reads it and the caller did not give one. */
  cost?: { [key: string]: CedarValueJson }
}

/**
 * The request context every decision gets (schema type Context): the caller's fields as Cedar values, the
 * tool input (`{}` when none), the time (now, unless the caller gives one), trace, task and session ids.
 */
export function requestContext(parts: ContextParts): { [key: string]: CedarValueJson } {
  const { time, ...rest } = parts.given ?? {}
  const context = toCedarRecord(rest, 'context')
  context.input ??= {}
  context.time = timeRecord(time === undefined ? (parts.now ?? new Date()) : givenTime(time))
  if (parts.traceId && context.trace_id === undefined) context.trace_id = parts.traceId
  if (parts.task && context.task === undefined) context.task = parts.task
  if (parts.sessionId && context.session_id === undefined) context.session_id = parts.sessionId
  if (parts.cost && context.cost === undefined) context.cost = parts.cost
  return context
}

function timeRecord(at: Date): { [key: string]: CedarValueJson } {
  return { now: cedarDatetime(at), hour_utc: at.getUTCHours(), weekday_utc: at.getUTCDay() }
}

function givenTime(value: unknown): Date {
  const at = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : null
  if (!at || Number.isNaN(at.getTime()))
    throw usageError(
      'POLICY_BAD_CONTEXT',
      `context.time: ${JSON.stringify(value)} is not an RFC 3339 time`,
      'Give context.time as 2026-12-03T09:30:00Z, or leave it out for now.',
    )
  return at
}
