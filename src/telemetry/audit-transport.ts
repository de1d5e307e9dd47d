import { setTimeout as sleep } from 'node:timers/promises'
import { parseKeyPairsIntoRecord } from '@opentelemetry/core'
import { ExitCode, GoblinError, unreachableError, usageError } from '../core/errors.js'

/**
 * How an audit envelope travels to the collector: one OTLP/HTTP logs request (JSON encoding), with the
 * OpenTelemetry exporter conventions. python/goblin_audit/otlp.py follows the same rules, and both are
 * tested against test/fixtures/audit/otlp-env-vectors.json:
 *
 * - endpoint: the explicit one (`/v1/logs` added unless it ends so), else OTEL_EXPORTER_OTLP_LOGS_ENDPOINT
 *   as given, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/logs`, else http://127.0.0.1:4318/v1/logs;
 * - headers: OTEL_EXPORTER_OTLP_HEADERS, overridden key by key by OTEL_EXPORTER_OTLP_LOGS_HEADERS, then by
 *   the explicit ones, parsed and merged as the OpenTelemetry JS exporters do;
 * - retry: 429, 502, 503, 504 (OTLP/HTTP's retryable statuses) and no answer at all are retried, waiting
 *   what Retry-After asks or else an exponential backoff, within a bounded number of attempts. Retrying is
 *   safe: the collector appends an envelope once (by its kid and seq) however often it arrives.
 */

export const LOGS_PATH = '/v1/logs'
const DEFAULT_ENDPOINT = 'http://127.0.0.1:4318'
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504])
// RFC 9110 field names (tokens) and values (visible Latin-1, spaces and tabs inside).
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const HEADER_VALUE = /^[\x21-\x7e\x80-\xff](?:[\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?$/

/** How hard a send tries; the defaults wait at most 0.5 + 1 + 2 + 4 s between five attempts. */
export interface RetryOptions {
  /** Requests in all, the first included (default 5). */
  attempts?: number
  /** Wait before the second attempt when the collector names none; doubles each time (default 500). */
  backoffMs?: number
  /** Longest wait between attempts; a longer Retry-After gives up at once rather than retry early (default 30 000). */
  maxDelayMs?: number
  /** Bound on each request (default 10 000). */
  timeoutMs?: number
}

type Retry = Required<RetryOptions>

/** The URL envelopes are posted to (see the module comment for the order). */
export function logsEndpoint(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const url = explicit
    ? explicit.endsWith(LOGS_PATH)
      ? explicit
      : `${explicit.replace(/\/+$/, '')}${LOGS_PATH}`
    : env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT ||
      `${(env.OTEL_EXPORTER_OTLP_ENDPOINT || DEFAULT_ENDPOINT).replace(/\/+$/, '')}${LOGS_PATH}`
  let parsed: URL | undefined
  try {
    parsed = new URL(url)
  } catch {}
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
    throw usageError(
      'AUDIT_BAD_ENDPOINT',
      `the collector endpoint "${url}" is not an http(s) URL`,
      'Give e.g. http://127.0.0.1:4318 (the endpoint option, or OTEL_EXPORTER_OTLP_ENDPOINT).',
    )
  return url
}

/** The headers every request carries: generic, then logs-specific, then explicit ones win; checked. */
export function otlpHeaders(
  explicit: Record<string, string> | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const headers: Record<string, string> = {
    ...parseKeyPairsIntoRecord(env.OTEL_EXPORTER_OTLP_HEADERS),
    ...parseKeyPairsIntoRecord(env.OTEL_EXPORTER_OTLP_LOGS_HEADERS),
    ...explicit,
  }
  for (const [name, value] of Object.entries(headers)) {
    // A decoded %0D%0A must not split the request; the value may be a secret, so only the name is shown.
    if (!HEADER_NAME.test(name))
      throw usageError(
        'AUDIT_BAD_HEADER',
        `the header name "${name}" is not an HTTP token`,
        'Fix the header list.',
      )
    if (typeof value !== 'string' || !HEADER_VALUE.test(value))
      throw usageError(
        'AUDIT_BAD_HEADER',
        `the value of header "${name}" holds a line break, a control character or a non-Latin-1 character`,
        'Fix OTEL_EXPORTER_OTLP_HEADERS (or the headers given); the value is not shown.',
      )
  }
  return headers
}

/** The retry budget with its defaults, checked. */
export function retryPolicy(options: RetryOptions = {}): Retry {
  const retry = { attempts: 5, backoffMs: 500, maxDelayMs: 30_000, timeoutMs: 10_000, ...options }
  if (!Number.isInteger(retry.attempts) || retry.attempts < 1)
    throw usageError('AUDIT_BAD_OPTION', `retry.attempts ${retry.attempts}: give 1 or more attempts`)
  for (const name of ['backoffMs', 'maxDelayMs', 'timeoutMs'] as const)
    if (!Number.isFinite(retry[name]) || retry[name] < 0 || (name === 'timeoutMs' && retry[name] === 0))
      throw usageError('AUDIT_BAD_OPTION', `retry.${name} ${retry[name]}: give milliseconds, more than 0`)
  return retry
}

/** Posts an OTLP/JSON logs request until the collector takes it; throws when it refuses or stays away. */
export async function postLogs(
  url: string,
  body: string,
  headers: Record<string, string>,
  retry: Retry,
): Promise<void> {
  let last = 'no attempt made'
  for (let attempt = 1; attempt <= retry.attempts; attempt++) {
    let delayMs: number | null = null
    let response: Response | undefined
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(retry.timeoutMs),
      })
    } catch (error) {
      last = `no answer (${noAnswerReason(error)})`
    }
    if (response) {
      const answer = await response.text().catch(() => '')
      if (response.ok) return checkPartialSuccess(url, answer)
      const message = statusMessage(answer)
      const seen = `HTTP ${response.status}${message ? `: ${message}` : ''}`
      if (!RETRYABLE_STATUSES.has(response.status)) throw refusedByStatus(url, response.status, seen)
      last = seen
      delayMs = retryAfterMs(response.headers.get('retry-after'))
      if (delayMs !== null && delayMs > retry.maxDelayMs)
        throw unreachableError(
          'AUDIT_COLLECTOR_UNAVAILABLE',
          `the collector at ${url} answered ${last} and asks to wait ${delayMs / 1000} s, longer than the ${retry.maxDelayMs / 1000} s this emitter waits`,
          'The envelope was not sent; emit it again later, or raise retry.maxDelayMs.',
        )
    }
    if (attempt === retry.attempts) break
    await sleep(Math.min(retry.maxDelayMs, delayMs ?? retry.backoffMs * 2 ** (attempt - 1)))
  }
  throw unreachableError(
    'AUDIT_COLLECTOR_UNAVAILABLE',
    `the collector at ${url} did not take the envelope after ${retry.attempts} attempt(s); last: ${last}`,
    'Start it (goblin collector serve --audit) or point OTEL_EXPORTER_OTLP_ENDPOINT at it; the envelope was not appended.',
  )
}

/** A 200 answer may still refuse records (OTLP partial success): the collector's verdict on the envelope. */
function checkPartialSuccess(url: string, answer: string): void {
  let partial: { rejectedLogRecords?: string | number; errorMessage?: string } | undefined
  try {
    partial = (JSON.parse(answer || '{}') as { partialSuccess?: typeof partial }).partialSuccess
  } catch {
    throw new GoblinError(
      'AUDIT_ENVELOPE_REFUSED',
      `the server at ${url} answered 200 with a body that is not an OTLP logs response`,
      {
        hint: "Point the endpoint at goblin's collector (goblin collector serve --audit).",
        exit: ExitCode.notOk,
      },
    )
  }
  if (Number(partial?.rejectedLogRecords ?? 0) > 0)
    throw new GoblinError(
      'AUDIT_ENVELOPE_REFUSED',
      `the collector refused the envelope: ${partial?.errorMessage || 'rejected'}`,
      {
        hint: "Trust this service's key in the collector (goblin collector serve --audit --audit-trust <vkey>).",
        exit: ExitCode.notOk,
      },
    )
}

function refusedByStatus(url: string, status: number, seen: string): GoblinError {
  const hint =
    status === 401 || status === 403
      ? 'Check the API key in OTEL_EXPORTER_OTLP_HEADERS (or OTEL_EXPORTER_OTLP_LOGS_HEADERS).'
      : "Check that the endpoint is goblin's collector (goblin collector serve --audit)."
  return new GoblinError('AUDIT_ENVELOPE_REFUSED', `the collector at ${url} answered ${seen}`, {
    hint,
    exit: ExitCode.notOk,
  })
}

/** The message of a google.rpc.Status answer (OTLP/JSON errors), or the first line of a text one. */
function statusMessage(answer: string): string {
  try {
    const parsed = JSON.parse(answer) as { message?: unknown }
    if (typeof parsed?.message === 'string') return parsed.message.slice(0, 500)
  } catch {}
  return (answer.trim().split('\n')[0] ?? '').slice(0, 500)
}

/** Retry-After as milliseconds to wait: delta-seconds or an HTTP-date (RFC 9110 §10.2.3); else null. */
function retryAfterMs(value: string | null): number | null {
  if (value === null) return null
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const when = Date.parse(text)
  return Number.isNaN(when) ? null : Math.max(0, when - Date.now())
}

function noAnswerReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause
  if (cause?.code === 'ECONNREFUSED') return 'connection refused'
  if ((error as Error).name === 'TimeoutError') return 'timed out'
  if (cause?.code === 'UND_ERR_SOCKET' || cause?.code === 'ECONNRESET')
    return 'the connection closed without an answer'
  return cause?.code ?? (error as Error).message
}
