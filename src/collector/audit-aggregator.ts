import { ed25519Verify, publicKeyFromRaw } from '../audit/ed25519.js'
import {
  type AuditEvent,
  type Envelope,
  signedBytes,
  TIMESTAMP_PATTERN,
  validateEvent,
} from '../audit/envelope.js'
import { keyWindowProblem } from '../audit/keyring.js'
import { appendEvents, type SigningSession } from '../audit/ledger.js'
import { keyLabel, type NoteSigner } from '../audit/signed-note.js'
import type { TrustedKey } from '../audit/verify.js'
import { isGoblinError } from '../core/errors.js'
import type { CollectorMetrics } from './metrics.js'
import type { LogRecordRow } from './otlp-decode.js'

/**
 * The audit aggregator inside the embedded collector: OTLP log records whose event name is `goblin.audit`
 * (the LogRecord `event_name` field, or the `event.name` attribute older SDKs set) carry a signed audit
 * envelope as their string body. Each envelope's Ed25519 signature is checked against the trusted keys
 * (and their validity windows); good ones are appended to the ledger, as one batch per request, with the
 * service's envelope (kid, seq, ts, sig) kept in `attrs["goblin.audit.source"]` so the original signature
 * stays checkable; bad ones are counted in `goblin_audit_rejected_total{reason}` and reported in the OTLP
 * partial-success answer.
 */

export const AUDIT_EVENT_NAME = 'goblin.audit'
export const SOURCE_ATTR = 'goblin.audit.source'

export type RejectReason = 'malformed' | 'unknown_key' | 'bad_signature' | 'key_window'

export interface AuditAggregator {
  /** Takes the audit records out of `logs`: appends the good ones, returns the rest and what was refused. */
  take(
    logs: LogRecordRow[],
  ): Promise<{ logs: LogRecordRow[]; appended: number; rejected: number; firstError?: string }>
}

export interface AuditAggregatorOptions {
  ledgerDir: string
  /** The ledger's signing key (a keyring session follows rotations): the collector re-signs each accepted event. */
  signer: NoteSigner | SigningSession
  /** Keys whose envelopes are accepted (services' verifier keys). */
  trusted: TrustedKey[]
  metrics: CollectorMetrics
}

/** True for a log record that carries an audit envelope. */
export function isAuditRecord(log: LogRecordRow): boolean {
  return log.eventName === AUDIT_EVENT_NAME || log.attributes['event.name'] === AUDIT_EVENT_NAME
}

/** Creates the aggregator that `startCollector` hands to the OTLP receiver. */
export function createAuditAggregator(options: AuditAggregatorOptions): AuditAggregator {
  const byKid = new Map(options.trusted.map((t) => [keyLabel(t.verifier.name, t.verifier.keyId), t]))
  return {
    async take(logs) {
      const rest: LogRecordRow[] = []
      const events: AuditEvent[] = []
      let rejected = 0
      let firstError: string | undefined
      for (const log of logs) {
        if (!isAuditRecord(log)) {
          rest.push(log)
          continue
        }
        const checked = checkEnvelope(log.body, byKid)
        if ('reason' in checked) {
          rejected++
          firstError ??= `goblin.audit record refused: ${checked.message}`
          options.metrics.auditRejected(checked.reason)
          continue
        }
        events.push(checked.event)
        rest.push(log)
      }
      if (events.length > 0) {
        await appendEvents(options.ledgerDir, events, options.signer)
        options.metrics.auditAppended(events.length)
      }
      return { logs: rest, appended: events.length, rejected, firstError }
    },
  }
}

type Checked = { event: AuditEvent } | { reason: RejectReason; message: string }

/** Checks one record body: an envelope JSON, signed by a trusted key inside its window. */
function checkEnvelope(body: unknown, byKid: Map<string, TrustedKey>): Checked {
  let envelope: Envelope
  try {
    envelope = JSON.parse(String(body)) as Envelope
  } catch {
    return { reason: 'malformed', message: 'the body is not an envelope JSON string' }
  }
  if (typeof envelope !== 'object' || envelope === null)
    return { reason: 'malformed', message: 'the body is not an object' }
  const { sig, kid, ts, seq } = envelope
  if (
    typeof sig !== 'string' ||
    typeof kid !== 'string' ||
    typeof ts !== 'string' ||
    !TIMESTAMP_PATTERN.test(ts)
  ) {
    return { reason: 'malformed', message: 'the envelope lacks sig, kid or an RFC 3339 ts' }
  }
  if (!Number.isSafeInteger(seq) || seq < 0)
    return { reason: 'malformed', message: 'the envelope has no valid seq' }
  let event: AuditEvent
  try {
    event = validateEvent(
      {
        goblin_id: envelope.goblin_id,
        action: envelope.action,
        decision: envelope.decision,
        trace_id: envelope.trace_id,
        ...(envelope.attrs === undefined ? {} : { attrs: envelope.attrs }),
      },
      'envelope',
    )
  } catch (error) {
    if (!isGoblinError(error)) throw error
    return { reason: 'malformed', message: error.message }
  }
  const trusted = byKid.get(kid)
  if (!trusted) return { reason: 'unknown_key', message: `key ${kid} is not trusted` }
  const signature = Buffer.from(sig, 'base64')
  const ok =
    signature.length === 64 &&
    ed25519Verify(signedBytes(envelope), signature, publicKeyFromRaw(trusted.verifier.publicKey))
  if (!ok) return { reason: 'bad_signature', message: `the signature by ${kid} does not verify (seq ${seq})` }
  const window = trusted.record ? keyWindowProblem(trusted.record, ts) : null
  if (window) return { reason: 'key_window', message: window.message }
  return {
    event: { ...event, attrs: { ...(event.attrs ?? {}), [SOURCE_ATTR]: { kid, seq, ts, sig } } },
  }
}
