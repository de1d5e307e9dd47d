import { usageError } from '../core/errors.js'
import { type AuditEvent, validateEvent } from './envelope.js'

/** The largest event line accepted, so one bad producer cannot bloat the ledger. */
const MAX_LINE_BYTES = 1024 * 1024

/**
 * Parses a JSONL stream of events (`goblin audit sign --input`). All or nothing: the first bad line
 * throws a usage error naming `where:line`, so a batch with a bad line appends nothing. Blank lines are
 * skipped.
 */
export function parseEventStream(text: string, where: string): AuditEvent[] {
  const events: AuditEvent[] = []
  const lines = text.split('\n')
  for (const [i, raw] of lines.entries()) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (line.trim() === '') continue
    const at = `${where}:${i + 1}`
    if (Buffer.byteLength(line) > MAX_LINE_BYTES)
      throw usageError(
        'AUDIT_BAD_EVENT',
        `${at}: the line is longer than 1 MiB`,
        'Keep large payloads out of the audit log; record a hash of them instead.',
      )
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch (error) {
      throw usageError(
        'AUDIT_BAD_EVENT',
        `${at}: not valid JSON (${(error as Error).message})`,
        'Each line must be one JSON event; fix it and sign the batch again (nothing was appended).',
      )
    }
    events.push(validateEvent(value, at))
  }
  if (events.length === 0)
    throw usageError('AUDIT_NO_EVENTS', `${where}: no events`, 'Give one JSON event per line.')
  return events
}

/** Builds one event from `goblin audit sign` flags; `attrs` are `key=value` strings. */
export function eventFromFlags(flags: {
  goblin?: string
  action?: string
  decision?: string
  traceId?: string
  attr?: string[]
}): AuditEvent {
  const attrs: Record<string, string> = {}
  for (const pair of flags.attr ?? []) {
    const eq = pair.indexOf('=')
    if (eq <= 0)
      throw usageError(
        'AUDIT_BAD_ATTR',
        `--attr ${pair}: expected key=value`,
        'For example --attr model=gpt-4o.',
      )
    attrs[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  const missing = (['goblin', 'action', 'decision'] as const).filter((f) => !flags[f])
  if (missing.length > 0)
    throw usageError(
      'AUDIT_BAD_EVENT',
      `missing ${missing.map((f) => `--${f}`).join(', ')}`,
      'Give --goblin, --action and --decision, or --input FILE with JSON events.',
    )
  return validateEvent(
    {
      goblin_id: flags.goblin,
      action: flags.action,
      decision: flags.decision,
      trace_id: flags.traceId ?? null,
      ...(Object.keys(attrs).length > 0 ? { attrs } : {}),
    },
    'flags',
  )
}
