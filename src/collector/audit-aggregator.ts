import { DECISION_KEY_ATTR, type DecisionAudit, decisionAudit } from '../agents/decision-audit.js'
import { ed25519Verify, publicKeyFromRaw } from '../audit/ed25519.js'
import {
  type AuditEvent,
  type Envelope,
  signedBytes,
  TIMESTAMP_PATTERN,
  validateEvent,
} from '../audit/envelope.js'
import { keyWindowProblem } from '../audit/keyring.js'
import { appendEvents, readLedgerSnapshot, type SigningSession, splitLedgerLines } from '../audit/ledger.js'
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
 * partial-success answer. An envelope is appended once (by its source kid and seq), and only by a request
 * that is then answered 200.
 *
 * Coding agents' tool decisions (Claude Code's `tool_decision`, ...: src/agents/decision-audit.ts) are
 * appended too, signed by the collector's key alone, once each (by their decision key); their log records
 * are stored as any other.
 */

export const AUDIT_EVENT_NAME = 'goblin.audit'
export const SOURCE_ATTR = 'goblin.audit.source'

export type RejectReason = 'malformed' | 'unknown_key' | 'bad_signature' | 'key_window' | 'conflict'

/** The audit records of one request, checked; `append` runs only once the request's logs are stored. */
export interface TakenAudit {
  /** The request's log records with the refused audit records left out (the rest are stored as logs). */
  logs: LogRecordRow[]
  rejected: number
  firstError?: string
  /**
   * Appends the accepted envelopes not already in the ledger. Called as the last step before the request
   * is answered 200, so a request answered 429 or 503 appends nothing; a retry of a request whose answer
   * was lost finds its envelopes already appended (by the source's kid and seq) and appends none twice.
   */
  append(): Promise<{ appended: number; rejected: number; firstError?: string }>
}

export interface AuditAggregator {
  /** Checks the audit records in `logs` (signature, key window, duplicates); appends nothing yet. */
  take(logs: LogRecordRow[]): Promise<TakenAudit>
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

interface Source {
  kid: string
  seq: number
  sig: string
}

/**
 * Creates the aggregator that `startCollector` hands to the OTLP receiver. It remembers which source
 * envelopes (kid, seq -> sig) the ledger holds, read from the ledger at the first append: one collector
 * per ledger is assumed (a second process appending source envelopes to the same ledger is not seen).
 */
export function createAuditAggregator(options: AuditAggregatorOptions): AuditAggregator {
  const byKid = new Map(options.trusted.map((t) => [keyLabel(t.verifier.name, t.verifier.keyId), t]))
  let seen: Map<string, string> | undefined
  let seenDecisions: Set<string> | undefined
  // Appends run one at a time, so two requests carrying the same envelope cannot both pass the check.
  let chain: Promise<unknown> = Promise.resolve()
  const appendOnce = async (events: AuditEvent[], sources: Source[], decisions: DecisionAudit[]) => {
    if (!seen || !seenDecisions)
      ({ sources: seen, decisions: seenDecisions } = await appendedInLedger(options.ledgerDir))
    const known = seen
    const knownDecisions = seenDecisions
    const fresh: AuditEvent[] = []
    const added: Source[] = []
    let rejected = 0
    let firstError: string | undefined
    for (const [i, source] of sources.entries()) {
      const key = sourceKey(source)
      const sig = known.get(key) ?? added.find((a) => sourceKey(a) === key)?.sig
      if (sig === source.sig) continue
      if (sig !== undefined) {
        // The same kid signed two different envelopes at one seq: keep the first, refuse the other.
        rejected++
        firstError ??= `goblin.audit record refused: ${source.kid} seq ${source.seq} is already in the ledger with another signature`
        options.metrics.auditRejected('conflict')
        continue
      }
      fresh.push(events[i] as AuditEvent)
      added.push(source)
    }
    const addedDecisions = new Set<string>()
    for (const decision of decisions) {
      if (knownDecisions.has(decision.key) || addedDecisions.has(decision.key)) continue
      fresh.push(decision.event)
      addedDecisions.add(decision.key)
    }
    if (fresh.length > 0) {
      await appendEvents(options.ledgerDir, fresh, options.signer)
      for (const source of added) known.set(sourceKey(source), source.sig)
      for (const key of addedDecisions) knownDecisions.add(key)
      options.metrics.auditAppended(fresh.length)
    }
    return { appended: fresh.length, rejected, firstError }
  }
  return {
    async take(logs) {
      const rest: LogRecordRow[] = []
      const events: AuditEvent[] = []
      const sources: Source[] = []
      const decisions: DecisionAudit[] = []
      let rejected = 0
      let firstError: string | undefined
      for (const log of logs) {
        if (!isAuditRecord(log)) {
          const decision = decisionAudit(log)
          if (decision) decisions.push(decision)
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
        sources.push(checked.source)
        rest.push(log)
      }
      return {
        logs: rest,
        rejected,
        firstError,
        append: () => {
          const run = chain.then(() => appendOnce(events, sources, decisions))
          chain = run.catch(() => {})
          return run
        },
      }
    },
  }
}

function sourceKey(source: { kid: string; seq: number }): string {
  return `${source.kid} ${source.seq}`
}

/**
 * What the ledger already holds: the source envelopes (each entry's `goblin.audit.source` attribute) and
 * the tool decisions (their decision key).
 */
async function appendedInLedger(
  ledgerDir: string,
): Promise<{ sources: Map<string, string>; decisions: Set<string> }> {
  const bytes = await readLedgerSnapshot(ledgerDir)
  const lines = splitLedgerLines(bytes)
  const sources = new Map<string, string>()
  const decisions = new Set<string>()
  const sourceMarker = Buffer.from(`"${SOURCE_ATTR}"`)
  const decisionMarker = Buffer.from(`"${DECISION_KEY_ATTR}"`)
  for (let i = 0; i < lines.count; i++) {
    const line = bytes.subarray(lines.starts[i], lines.ends[i])
    const hasSource = line.indexOf(sourceMarker) >= 0
    if (!hasSource && line.indexOf(decisionMarker) < 0) continue
    try {
      const attrs = (JSON.parse(line.toString('utf8')) as Envelope).attrs
      const source = attrs?.[SOURCE_ATTR] as unknown as Source | undefined
      if (source && typeof source.kid === 'string' && typeof source.sig === 'string')
        sources.set(sourceKey(source), source.sig)
      // Only the collector's own entries name decisions: a service's envelope carrying the attribute
      // must not stop a real decision from being recorded.
      const decision = attrs?.[DECISION_KEY_ATTR]
      if (!hasSource && typeof decision === 'string') decisions.add(decision)
    } catch {
      // An unreadable line is verify's to report; it records nothing.
    }
  }
  return { sources, decisions }
}

type Checked = { event: AuditEvent; source: Source } | { reason: RejectReason; message: string }

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
    source: { kid, seq, sig },
  }
}
