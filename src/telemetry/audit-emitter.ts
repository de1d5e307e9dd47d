import { readFileSync } from 'node:fs'
import { trace } from '@opentelemetry/api'
import type { JsonValue } from '../audit/canonical-json.js'
import { type Envelope, sealEntry, validateEvent } from '../audit/envelope.js'
import { parseSignerKey } from '../audit/signed-note.js'
import { usageError } from '../core/errors.js'
import { checkSecretFile } from '../core/private-state.js'
import { logsEndpoint, otlpHeaders, postLogs, type RetryOptions, retryPolicy } from './audit-transport.js'

/**
 * `auditEmitter`: lets a service sign audit envelopes with its own Ed25519 key and send each to the
 * collector as an OTLP log record (event name `goblin.audit`, the envelope's ledger line as its body). The
 * collector started with `goblin collector serve --audit` verifies the signature and appends the event to
 * the ledger; a refused envelope makes `emit` reject, so a service learns at once that it is not trusted.
 * Where it sends, with which headers and how it retries: ./audit-transport.ts. Python services have the
 * same emitter, byte for byte: python/goblin_audit (docs/python.md).
 *
 *   const audit = auditEmitter({ goblinId: 'researcher', keyFile: '/run/secrets/researcher.key' })
 *   await audit.emit({ action: 'tool.call', decision: 'allow', attrs: { tool: 'search' } })
 */

export interface AuditEmitterOptions {
  goblinId: string
  /** The private key file's content (`PRIVATE+KEY+<name>+<hash>+…`, from `goblin audit keygen`). */
  signerKey?: string
  /** Or the path of that file: a regular file of this user's, mode 0600 (others' access is refused). */
  keyFile?: string
  /** OTLP/HTTP endpoint; default OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, OTEL_EXPORTER_OTLP_ENDPOINT + /v1/logs, else the local collector. */
  endpoint?: string
  serviceName?: string
  /** Sent with every request, over OTEL_EXPORTER_OTLP_HEADERS and OTEL_EXPORTER_OTLP_LOGS_HEADERS. */
  headers?: Record<string, string>
  retry?: RetryOptions
  /**
   * The seq of the first envelope (default 0). The collector refuses a second, different envelope at a
   * (kid, seq) it has seen, so a service that restarts with the same key continues its numbering.
   */
  firstSeq?: number
}

export interface AuditRecord {
  action: string
  decision: string
  /** Defaults to the active span's trace id, if any. */
  traceId?: string | null
  attrs?: { [key: string]: JsonValue }
}

export interface AuditEmitter {
  /**
   * Signs the event as this service's next envelope and sends it; resolves once the collector accepted it.
   * Rejects with a GoblinError: AUDIT_ENVELOPE_REFUSED (the collector said no), AUDIT_COLLECTOR_UNAVAILABLE
   * (no answer, or only retry-later answers, within the retry budget).
   */
  emit(record: AuditRecord): Promise<Envelope>
}

/** Creates an emitter; the key is read once, here, and never logged. */
export function auditEmitter(options: AuditEmitterOptions): AuditEmitter {
  const signer = parseSignerKey(signerKeyText(options).trim())
  const url = logsEndpoint(options.endpoint)
  const headers = otlpHeaders(options.headers)
  const retry = retryPolicy(options.retry)
  const serviceName = options.serviceName ?? process.env.OTEL_SERVICE_NAME ?? options.goblinId
  let seq = options.firstSeq ?? 0
  if (!Number.isSafeInteger(seq) || seq < 0)
    throw usageError('AUDIT_BAD_OPTION', `firstSeq ${seq}: give an integer from 0 to 2**53 - 1`)
  return {
    async emit(record) {
      const activeTrace = trace.getActiveSpan()?.spanContext().traceId
      const traceId =
        record.traceId !== undefined
          ? record.traceId
          : activeTrace && !/^0+$/.test(activeTrace)
            ? activeTrace
            : null
      // The collector's own checks, so an event it would refuse fails here, before a seq is spent.
      const event = validateEvent(
        {
          goblin_id: options.goblinId,
          action: record.action,
          decision: record.decision,
          trace_id: traceId,
          ...(record.attrs ? { attrs: record.attrs } : {}),
        },
        'envelope',
      )
      const ts = new Date()
      const { envelope, bytes } = sealEntry(event, seq++, ts, signer)
      const nanos = `${BigInt(ts.getTime()) * 1_000_000n}`
      const body = {
        resourceLogs: [
          {
            resource: {
              attributes: [
                { key: 'service.name', value: { stringValue: serviceName } },
                { key: 'goblin.id', value: { stringValue: options.goblinId } },
              ],
            },
            scopeLogs: [
              {
                scope: { name: 'goblin.audit' },
                logRecords: [
                  {
                    timeUnixNano: nanos,
                    observedTimeUnixNano: nanos,
                    severityNumber: 9,
                    severityText: 'INFO',
                    eventName: 'goblin.audit',
                    body: { stringValue: bytes.toString('utf8') },
                    attributes: [{ key: 'event.name', value: { stringValue: 'goblin.audit' } }],
                    ...(traceId ? { traceId } : {}),
                  },
                ],
              },
            ],
          },
        ],
      }
      await postLogs(url, JSON.stringify(body), headers, retry)
      return envelope
    },
  }
}

/** The signer key's text: given, or read from a key file of this user's that nobody else can read. */
function signerKeyText(options: AuditEmitterOptions): string {
  if (options.signerKey !== undefined) return options.signerKey
  const path = options.keyFile
  if (!path)
    throw usageError(
      'AUDIT_NO_KEY',
      'auditEmitter needs a key: give keyFile (or signerKey)',
      'Create one with goblin audit keygen --name <service> and trust it in the collector.',
    )
  try {
    checkSecretFile(path, 'the key file')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' && code !== 'EACCES' && code !== 'ENOTDIR') throw error
    throw usageError(
      'AUDIT_KEY_UNREADABLE',
      `cannot read the key file ${path} (${code})`,
      'Give the path of the key file goblin audit keygen wrote (GOBLIN_HOME/keys/<name>.key).',
    )
  }
  return readFileSync(path, 'utf8')
}
