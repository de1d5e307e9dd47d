import { usageError } from '../core/errors.js'
import { canonicalBytes, canonicalJson, inCanonicalOrder, type JsonValue } from './canonical-json.js'
import { ed25519Sign } from './ed25519.js'
import { keyLabel, type NoteSigner } from './signed-note.js'

/**
 * The audit envelope (ARCHITECTURE.md, "Audit: formats"): one signed log entry. The signature covers the
 * RFC 8785 canonical JSON of the envelope without `sig`; the ledger line (and the Merkle leaf) is the
 * canonical JSON of the whole envelope.
 */

export const ENVELOPE_VERSION = 1

/** What a caller asks to record: the fields before goblin assigns seq, ts, kid and sig. */
export interface AuditEvent {
  goblin_id: string
  action: string
  decision: string
  trace_id: string | null
  attrs?: { [key: string]: JsonValue }
}

export interface UnsignedEnvelope extends AuditEvent {
  v: typeof ENVELOPE_VERSION
  seq: number
  ts: string
  kid: string
}

export interface Envelope extends UnsignedEnvelope {
  sig: string
}

const EVENT_FIELDS = new Set(['goblin_id', 'action', 'decision', 'trace_id', 'attrs'])
const MAX_FIELD_CHARS = 1024
export const TRACE_ID_PATTERN = /^[0-9a-f]{32}$/
/** RFC 3339 in UTC with milliseconds, exactly as `Date.prototype.toISOString` writes it. */
export const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

/**
 * Checks one event (parsed JSON) and returns it normalised, or throws a usage error naming `where`
 * (e.g. `events.jsonl:3`; a function is called only then) and the field.
 */
export function validateEvent(value: unknown, where: string | (() => string)): AuditEvent {
  const bad = (why: string) =>
    usageError(
      'AUDIT_BAD_EVENT',
      `${typeof where === 'string' ? where : where()}: ${why}`,
      'An event is {"goblin_id", "action", "decision", "trace_id"?, "attrs"?}; fix it and sign the batch again (nothing was appended).',
    )
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('not a JSON object')
  const record = value as Record<string, unknown>
  for (const key of Object.keys(record)) if (!EVENT_FIELDS.has(key)) throw bad(`unknown field "${key}"`)
  for (const field of ['goblin_id', 'action', 'decision'] as const) {
    const v = record[field]
    if (typeof v !== 'string' || v.length === 0) throw bad(`missing field "${field}" (a non-empty string)`)
    if (v.length > MAX_FIELD_CHARS) throw bad(`field "${field}" is longer than ${MAX_FIELD_CHARS} characters`)
  }
  const traceId = record.trace_id ?? null
  if (traceId !== null && !isTraceId(traceId))
    throw bad(`trace_id must be 32 lowercase hex digits, not all zero (got ${JSON.stringify(traceId)})`)
  const attrs = record.attrs
  if (attrs !== undefined && (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs)))
    throw bad('attrs must be a JSON object')
  const event: AuditEvent = {
    goblin_id: record.goblin_id as string,
    action: record.action as string,
    decision: record.decision as string,
    trace_id: traceId as string | null,
  }
  if (attrs !== undefined) event.attrs = attrs as AuditEvent['attrs']
  try {
    // Listed in canonical order, as sealEntry lists them, so that canonicalJson takes its native fast path.
    canonicalJson({
      action: event.action,
      ...(attrs === undefined ? {} : { attrs: inCanonicalOrder(attrs) }),
      decision: event.decision,
      goblin_id: event.goblin_id,
      trace_id: event.trace_id,
    })
  } catch (error) {
    throw bad((error as Error).message)
  }
  return event
}

/** True for a W3C trace id: 32 lowercase hex digits, not all zero. */
export function isTraceId(value: unknown): value is string {
  return typeof value === 'string' && TRACE_ID_PATTERN.test(value) && value !== '0'.repeat(32)
}

/** The bytes an envelope's signature covers: canonical JSON of everything but `sig`. */
export function signedBytes(envelope: UnsignedEnvelope | Envelope): Buffer {
  const { sig: _sig, ...unsigned } = envelope as Envelope
  return canonicalBytes(unsigned)
}

/** The ledger line of an envelope (without the newline), which is also its Merkle leaf data. */
export function entryBytes(envelope: Envelope): Buffer {
  return canonicalBytes(envelope)
}

/** Assigns position, time and key to an event and signs it. */
export function sealEnvelope(event: AuditEvent, seq: number, ts: Date, signer: NoteSigner): Envelope {
  return sealEntry(event, seq, ts, signer).envelope
}

/**
 * Seals an event and returns its ledger line too. The line is the signed canonical text with the `sig`
 * member spliced in before `"trace_id"`: in canonical order only trace_id, ts and v (never nested
 * objects) follow sig, so the last `,"trace_id":` is the top-level member. One canonicalisation instead
 * of two on the signing path; verification checks every line is canonical, and the tests verify it.
 */
export function sealEntry(
  event: AuditEvent,
  seq: number,
  ts: Date,
  signer: NoteSigner,
): { envelope: Envelope; bytes: Buffer } {
  // Built in canonical key order (attrs sorted too), so canonicalJson takes its native fast path.
  const unsigned: UnsignedEnvelope = {
    action: event.action,
    ...(event.attrs === undefined ? {} : { attrs: inCanonicalOrder(event.attrs) as AuditEvent['attrs'] }),
    decision: event.decision,
    goblin_id: event.goblin_id,
    kid: keyLabel(signer.name, signer.keyId),
    seq,
    trace_id: event.trace_id,
    ts: ts.toISOString(),
    v: ENVELOPE_VERSION,
  }
  const signedText = canonicalJson(unsigned)
  const sig = ed25519Sign(Buffer.from(signedText, 'utf8'), signer.privateKey).toString('base64')
  const at = signedText.lastIndexOf(',"trace_id":')
  const line = `${signedText.slice(0, at)},"sig":${JSON.stringify(sig)}${signedText.slice(at)}`
  return { envelope: { ...unsigned, sig }, bytes: Buffer.from(line, 'utf8') }
}
