import { readFileSync } from 'node:fs'
import { trace } from '@opentelemetry/api'
import type { JsonValue } from '../audit/canonical-json.js'
import { type Envelope, sealEnvelope } from '../audit/envelope.js'
import { parseSignerKey } from '../audit/signed-note.js'

/**
 * `auditEmitter`: lets a service sign audit envelopes with its own Ed25519 key and send each to the
 * collector as an OTLP log record (event name `goblin.audit`, the envelope JSON as its body). The
 * collector started with `goblin collector serve --audit` verifies the signature and appends the event to
 * the ledger; a refused envelope makes `emit` reject, so a service learns at once that it is not trusted.
 *
 *   const audit = auditEmitter({ goblinId: 'researcher', keyFile: '/run/secrets/researcher.key' })
 *   await audit.emit({ action: 'tool.call', decision: 'allow', attrs: { tool: 'search' } })
 */

export interface AuditEmitterOptions {
  goblinId: string
  /** The private key file's content (`PRIVATE+KEY+<name>+<hash>+…`, from `goblin audit keygen`). */
  signerKey?: string
  /** Or the path of that file. */
  keyFile?: string
  /** OTLP/HTTP endpoint; default OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, OTEL_EXPORTER_OTLP_ENDPOINT + /v1/logs, else the local collector. */
  endpoint?: string
  serviceName?: string
  headers?: Record<string, string>
}

export interface AuditRecord {
  action: string
  decision: string
  /** Defaults to the active span's trace id, if any. */
  traceId?: string | null
  attrs?: { [key: string]: JsonValue }
}

export interface AuditEmitter {
  /** Signs the event as this service's next envelope and sends it; resolves once the collector accepted it. */
  emit(record: AuditRecord): Promise<Envelope>
}

/** Creates an emitter; the key is read once, here, and never logged. */
export function auditEmitter(options: AuditEmitterOptions): AuditEmitter {
  const keyText = options.signerKey ?? (options.keyFile ? readFileSync(options.keyFile, 'utf8') : undefined)
  if (!keyText) throw new Error('auditEmitter needs signerKey or keyFile')
  const signer = parseSignerKey(keyText.trim())
  const url = logsEndpoint(options.endpoint)
  const serviceName = options.serviceName ?? process.env.OTEL_SERVICE_NAME ?? options.goblinId
  let seq = 0
  return {
    async emit(record) {
      const activeTrace = trace.getActiveSpan()?.spanContext().traceId
      const traceId =
        record.traceId !== undefined
          ? record.traceId
          : activeTrace && !/^0+$/.test(activeTrace)
            ? activeTrace
            : null
      const envelope = sealEnvelope(
        {
          goblin_id: options.goblinId,
          action: record.action,
          decision: record.decision,
          trace_id: traceId,
          ...(record.attrs ? { attrs: record.attrs } : {}),
        },
        seq++,
        new Date(),
        signer,
      )
      const nanos = `${BigInt(Date.parse(envelope.ts)) * 1_000_000n}`
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
                    body: { stringValue: JSON.stringify(envelope) },
                    attributes: [{ key: 'event.name', value: { stringValue: 'goblin.audit' } }],
                    ...(traceId ? { traceId } : {}),
                  },
                ],
              },
            ],
          },
        ],
      }
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: JSON.stringify(body),
      })
      const answer = (await response.json().catch(() => ({}))) as {
        partialSuccess?: { rejectedLogRecords?: string | number; errorMessage?: string }
      }
      if (!response.ok) throw new Error(`the collector at ${url} answered HTTP ${response.status}`)
      if (Number(answer.partialSuccess?.rejectedLogRecords ?? 0) > 0) {
        throw new Error(
          `the collector refused the envelope: ${answer.partialSuccess?.errorMessage ?? 'rejected'}`,
        )
      }
      return envelope
    },
  }
}

function logsEndpoint(explicit: string | undefined): string {
  if (explicit) return explicit.endsWith('/v1/logs') ? explicit : `${explicit.replace(/\/+$/, '')}/v1/logs`
  const logs = process.env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT
  if (logs) return logs
  const base = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318'
  return `${base.replace(/\/+$/, '')}/v1/logs`
}
