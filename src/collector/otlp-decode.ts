import { GoblinError } from '../core/errors.js'
import type { OtlpTypes } from './otlp-schema.js'
import type { AttributeValue, SpanRecord } from './span-record.js'

/** Spans decoded from one OTLP traces request; `rejected` counts spans refused (e.g. invalid ids). */
export interface DecodedSpans {
  spans: SpanRecord[]
  rejected: number
  /** Why the first rejected span was refused, for the partial-success message. */
  firstError?: string
}

/** One OTLP log record, flattened like SpanRecord. */
export interface LogRecordRow {
  timeUnixNano: string
  observedTimeUnixNano: string
  severityNumber: number
  severityText: string
  body: AttributeValue
  attributes: Record<string, AttributeValue>
  resource: Record<string, AttributeValue>
  serviceName: string
  scopeName?: string
  traceId: string | null
  spanId: string | null
  /** The LogRecord's `event_name` (OTLP 1.5+), when set: e.g. `goblin.audit` for audit envelopes. */
  eventName?: string
}

export interface DecodedLogs {
  logs: LogRecordRow[]
  rejected: number
  firstError?: string
}

export interface IdOptions {
  /**
   * Also accept base64 ids in JSON. OTLP/JSON says hex, but Tempo's query API answers with protobuf-JSON
   * base64 ids; the lengths never collide (hex 32/16 chars, base64 24/12), so both read unambiguously.
   */
  base64Ids?: boolean
}

/** The body could not be decoded at all (HTTP 400). */
export function undecodable(message: string, cause?: unknown): GoblinError {
  return new GoblinError('OTLP_UNDECODABLE', message, {
    hint: 'Send an OTLP ExportTraceServiceRequest as application/x-protobuf or application/json.',
    cause,
  })
}

/** Decodes an OTLP/HTTP JSON traces body (hex ids in either case, int64 as strings or numbers). */
export function decodeTracesJson(text: string, options: IdOptions = {}): DecodedSpans {
  return spansFromTraceRequest(parseOtlpJson(text), options)
}

/** Decodes an OTLP/HTTP protobuf logs body. */
export function decodeLogsProtobuf(types: OtlpTypes, bytes: Uint8Array): DecodedLogs {
  let message: unknown
  try {
    message = types.logsRequest.decode(bytes)
  } catch (error) {
    throw undecodable(`protobuf body is not an ExportLogsServiceRequest: ${(error as Error).message}`, error)
  }
  return logsFromLogsRequest(message)
}

/** Decodes an OTLP/HTTP JSON logs body. */
export function decodeLogsJson(text: string): DecodedLogs {
  return logsFromLogsRequest(parseOtlpJson(text))
}

const INT64_KEYS = /(?:UnixNano|intValue|^rejected)/
const BARE_INT64 = /"(?:\w*UnixNano|intValue|rejected\w*)"\s*:\s*-?\d/

/**
 * JSON.parse that keeps 64-bit integers exact: OTLP/JSON may write nanosecond times as bare numbers
 * beyond 2^53, so those fields take their source text (Node's JSON.parse source-text access).
 */
export function parseOtlpJson(text: string): unknown {
  try {
    // The reviver costs a call per value: only pay it when a 64-bit field is written as a bare number.
    if (!BARE_INT64.test(text)) return JSON.parse(text)
    return JSON.parse(text, ((key: string, value: unknown, context?: { source?: string }) =>
      typeof value === 'number' && INT64_KEYS.test(key) && context?.source !== undefined
        ? context.source
        : value) as (key: string, value: unknown) => unknown)
  } catch (error) {
    throw undecodable(`JSON body does not parse: ${(error as Error).message}`, error)
  }
}

export type Obj = Record<string, unknown>

/** A decoded message field as an object ({} when absent); anything else is undecodable. */
export function asObject(value: unknown, what: string): Obj {
  if (value === null || value === undefined) return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw undecodable(`${what} is not an object`)
  return value as Obj
}

/** A decoded repeated field as an array ([] when absent); anything else is undecodable. */
export function asArray(value: unknown, what: string): unknown[] {
  if (value === null || value === undefined) return []
  if (!Array.isArray(value)) throw undecodable(`${what} is not an array`)
  return value
}

/** Maps a decoded request (protobufjs message or parsed OTLP/JSON) to SpanRecords. */
export function spansFromTraceRequest(request: unknown, options: IdOptions = {}): DecodedSpans {
  const root = asObject(request, 'request')
  const resourceSpans = asArray(root.resourceSpans ?? root.batches, 'resourceSpans')
  const out: DecodedSpans = { spans: [], rejected: 0 }
  for (let r = 0; r < resourceSpans.length; r++) {
    const rsObj = asObject(resourceSpans[r], 'resourceSpans[]')
    const resource = attributesOf(asObject(rsObj.resource, 'resource').attributes)
    const serviceName = typeof resource['service.name'] === 'string' ? resource['service.name'] : 'unknown'
    const scopes = asArray(rsObj.scopeSpans ?? rsObj.instrumentationLibrarySpans, 'scopeSpans')
    for (let s = 0; s < scopes.length; s++) {
      const ssObj = asObject(scopes[s], 'scopeSpans[]')
      const scope = asObject(ssObj.scope ?? ssObj.instrumentationLibrary, 'scope')
      const scopeName = typeof scope.name === 'string' && scope.name ? scope.name : undefined
      const list = asArray(ssObj.spans, 'spans')
      for (let i = 0; i < list.length; i++) {
        const span = asObject(list[i], 'spans[]')
        const traceId = readId(span.traceId, 16, options)
        const spanId = readId(span.spanId, 8, options)
        const parent = span.parentSpanId === undefined ? '' : readId(span.parentSpanId, 8, options, true)
        const where = `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`
        if (!traceId || !spanId || parent === null) {
          out.rejected++
          out.firstError ??= `${where}: invalid ${!traceId ? 'traceId' : !spanId ? 'spanId' : 'parentSpanId'}`
          continue
        }
        const startTimeUnixNano = nanos(span.startTimeUnixNano)
        const endTimeUnixNano = nanos(span.endTimeUnixNano)
        const badTime = timeRefusal(startTimeUnixNano, endTimeUnixNano)
        if (badTime) {
          out.rejected++
          out.firstError ??= `${where}: ${badTime}`
          continue
        }
        const status = span.status ? asObject(span.status, 'status') : NO_STATUS
        const record: SpanRecord = {
          traceId,
          spanId,
          parentSpanId: parent || null,
          name: typeof span.name === 'string' ? span.name : '',
          kind: enumNumber(span.kind, SPAN_KINDS),
          startTimeUnixNano,
          endTimeUnixNano,
          statusCode: enumNumber(status.code, STATUS_CODES),
          serviceName,
          attributes: attributesOf(span.attributes),
          resource,
        }
        if (typeof status.message === 'string' && status.message) record.statusMessage = status.message
        if (scopeName) record.scopeName = scopeName
        const events = span.events
        if (Array.isArray(events) && events.length > 0) {
          record.events = events.map((e) => {
            const event = asObject(e, 'event')
            return {
              name: typeof event.name === 'string' ? event.name : '',
              timeUnixNano: nanos(event.timeUnixNano),
              attributes: attributesOf(event.attributes),
            }
          })
        }
        const links = readLinks(span.links, options)
        if (links === null) {
          out.rejected++
          out.firstError ??= `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]: a link with an invalid traceId or spanId`
          continue
        }
        if (links.length > 0) record.links = links
        out.spans.push(record)
      }
    }
  }
  return out
}

/** A span's links, or null when one names an invalid trace or span id (the span is then rejected whole). */
function readLinks(value: unknown, options: IdOptions): NonNullable<SpanRecord['links']> | null {
  if (!Array.isArray(value)) return []
  const links: NonNullable<SpanRecord['links']> = []
  for (const item of value) {
    const link = asObject(item, 'link')
    const traceId = readId(link.traceId, 16, options)
    const spanId = readId(link.spanId, 8, options)
    if (!traceId || !spanId) return null
    const traceState = typeof link.traceState === 'string' && link.traceState ? link.traceState : undefined
    links.push({
      traceId,
      spanId,
      ...(traceState ? { traceState } : {}),
      attributes: attributesOf(link.attributes),
    })
  }
  return links
}

/** Maps a decoded logs request to LogRecordRows; records with malformed trace/span ids are rejected. */
export function logsFromLogsRequest(request: unknown): DecodedLogs {
  const root = asObject(request, 'request')
  const out: DecodedLogs = { logs: [], rejected: 0 }
  for (const [r, rl] of asArray(root.resourceLogs, 'resourceLogs').entries()) {
    const rlObj = asObject(rl, `resourceLogs[${r}]`)
    const resource = attributesOf(asObject(rlObj.resource, 'resource').attributes)
    const serviceName = typeof resource['service.name'] === 'string' ? resource['service.name'] : 'unknown'
    for (const [s, sl] of asArray(rlObj.scopeLogs, 'scopeLogs').entries()) {
      const slObj = asObject(sl, `scopeLogs[${s}]`)
      const scope = asObject(slObj.scope, 'scope')
      for (const [i, raw] of asArray(slObj.logRecords, 'logRecords').entries()) {
        const log = asObject(raw, `logRecords[${i}]`)
        const traceId = log.traceId === undefined ? '' : readId(log.traceId, 16, {}, true)
        const spanId = log.spanId === undefined ? '' : readId(log.spanId, 8, {}, true)
        if (traceId === null || spanId === null) {
          out.rejected++
          out.firstError ??= `resourceLogs[${r}].scopeLogs[${s}].logRecords[${i}]: invalid trace or span id`
          continue
        }
        const observedTimeUnixNano = nanos(log.observedTimeUnixNano)
        // The OTLP spec: a record without a time (Codex sets only the observed time) takes its observed time.
        const sent = nanos(log.timeUnixNano)
        const timeUnixNano = sent === '0' ? observedTimeUnixNano : sent
        if (!fitsStore(timeUnixNano) || !fitsStore(observedTimeUnixNano)) {
          out.rejected++
          out.firstError ??= `resourceLogs[${r}].scopeLogs[${s}].logRecords[${i}]: ${fitsStore(timeUnixNano) ? 'observedTimeUnixNano' : 'timeUnixNano'} is past ${MAX_STORED_NANOS} (year 2262)`
          continue
        }
        out.logs.push({
          timeUnixNano,
          observedTimeUnixNano,
          severityNumber: enumNumber(log.severityNumber, {}),
          severityText: typeof log.severityText === 'string' ? log.severityText : '',
          body: log.body === undefined ? null : anyValue(log.body, 0),
          attributes: attributesOf(log.attributes),
          resource,
          serviceName,
          ...(typeof scope.name === 'string' && scope.name ? { scopeName: scope.name } : {}),
          traceId: traceId || null,
          spanId: spanId || null,
          ...(typeof log.eventName === 'string' && log.eventName ? { eventName: log.eventName } : {}),
        })
      }
    }
  }
  return out
}

const NO_STATUS: Obj = {}

const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
}
const STATUS_CODES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 }

/** OTLP/JSON may carry enums as numbers or as their names. */
export function enumNumber(value: unknown, names: Record<string, number>): number {
  if (typeof value === 'number') return value
  if (typeof value === 'string') return names[value] ?? (Number(value) || 0)
  return 0
}

const HEX = /^[0-9a-fA-F]*$/
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/**
 * An id as lowercase hex, or null when it is invalid: wrong length, not hex, or all zeroes.
 * `allowEmpty` returns '' for an absent id (a root span's parent, a log without a trace).
 */
function readId(value: unknown, bytes: number, options: IdOptions, allowEmpty = false): string | null {
  let hex: string
  if (value instanceof Uint8Array) {
    if (value.length === 0) return allowEmpty ? '' : null
    if (value.length !== bytes) return null
    hex = Buffer.isBuffer(value)
      ? value.toString('hex')
      : Buffer.from(value.buffer, value.byteOffset, value.length).toString('hex')
  } else if (typeof value === 'string') {
    if (value === '') return allowEmpty ? '' : null
    if (value.length === bytes * 2 && HEX.test(value)) hex = value.toLowerCase()
    else if (options.base64Ids && value.length === Math.ceil(bytes / 3) * 4 && BASE64.test(value)) {
      const decoded = Buffer.from(value, 'base64')
      if (decoded.length !== bytes) return null
      hex = decoded.toString('hex')
    } else return null
  } else if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    // protobufjs leaves an absent bytes field as its default, an empty array.
    return allowEmpty ? '' : null
  } else return null
  return hex === (bytes === 16 ? ZERO_TRACE : ZERO_SPAN) ? null : hex
}

const ZERO_TRACE = '0'.repeat(32)
const ZERO_SPAN = '0'.repeat(16)

/**
 * The latest time the store holds: SQLite integers are signed 64-bit, while OTLP times are fixed64. A
 * span or log record past it (2^63-1 ns, in the year 2262) is refused alone, as partial success: written,
 * it would fail the whole group commit and every request batched with it.
 */
export const MAX_STORED_NANOS = '9223372036854775807'

const PAST_STORE = `${MAX_STORED_NANOS} (year 2262)`

/** Why a span's times cannot be stored (past the store's range), or null. Both trace decoders use it. */
export function timeRefusal(startTimeUnixNano: string, endTimeUnixNano: string): string | null {
  if (!fitsStore(startTimeUnixNano)) return `startTimeUnixNano ${startTimeUnixNano} is past ${PAST_STORE}`
  if (!fitsStore(endTimeUnixNano)) return `endTimeUnixNano ${endTimeUnixNano} is past ${PAST_STORE}`
  return null
}

/** True when a decimal `nanos` string (no leading zeros) is at most MAX_STORED_NANOS. */
export function fitsStore(text: string): boolean {
  return (
    text.length < MAX_STORED_NANOS.length ||
    (text.length === MAX_STORED_NANOS.length && text <= MAX_STORED_NANOS)
  )
}

/** A fixed64 as a decimal string: protobufjs gives a Long, JSON a string or (kept exact) number text. */
export function nanos(value: unknown): string {
  if (value === undefined || value === null) return '0'
  if (typeof value === 'string') return /^\d+$/.test(value) ? value.replace(/^0+(?=\d)/, '') : '0'
  if (typeof value === 'number') return Number.isFinite(value) ? BigInt(Math.trunc(value)).toString() : '0'
  if (typeof value === 'bigint') return value.toString()
  const long = value as { low: number; high: number; unsigned?: boolean }
  if (typeof long.low === 'number' && typeof long.high === 'number') {
    return ((BigInt(long.high >>> 0) << 32n) | BigInt(long.low >>> 0)).toString()
  }
  return '0'
}

/**
 * How deep arrays and kvlists may nest inside one attribute value. Deeper values are refused (400) at
 * decode: recursion over them overflows the stack, and SQLite's JSON functions stop at depth 1000, which
 * would make every attribute search fail once one such value is stored. Real telemetry nests a few levels.
 */
export const MAX_VALUE_DEPTH = 64

/** A repeated KeyValue as a plain object; later duplicates win, as most backends do. */
export function attributesOf(list: unknown, depth = 0): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {}
  if (!Array.isArray(list)) return out
  for (const kv of list) {
    if (!kv || typeof kv !== 'object') continue
    const { key, value } = kv as { key?: unknown; value?: unknown }
    if (typeof key !== 'string') continue
    const decoded = value === undefined || value === null ? null : anyValue(value, depth)
    // `out[key] =` would set the object's prototype for "__proto__" and lose the attribute.
    if (key === '__proto__')
      Object.defineProperty(out, key, {
        value: decoded,
        enumerable: true,
        writable: true,
        configurable: true,
      })
    else out[key] = decoded
  }
  return out
}

/** An AnyValue (protobufjs message or OTLP/JSON object) as a JSON value. */
function anyValue(value: unknown, depth: number): AttributeValue {
  if (!value || typeof value !== 'object') return null
  if (depth >= MAX_VALUE_DEPTH)
    throw undecodable(`an attribute value nests arrays or kvlists deeper than ${MAX_VALUE_DEPTH} levels`)
  const v = value as Obj
  if (has(v, 'stringValue')) return typeof v.stringValue === 'string' ? v.stringValue : String(v.stringValue)
  if (has(v, 'intValue')) return intValue(v.intValue)
  if (has(v, 'doubleValue')) return typeof v.doubleValue === 'number' ? v.doubleValue : Number(v.doubleValue)
  if (has(v, 'boolValue')) return Boolean(v.boolValue)
  if (has(v, 'arrayValue'))
    return asArray((v.arrayValue as Obj).values, 'arrayValue.values').map((item) => anyValue(item, depth + 1))
  if (has(v, 'kvlistValue')) return attributesOf((v.kvlistValue as Obj).values, depth + 1)
  if (has(v, 'bytesValue')) {
    return v.bytesValue instanceof Uint8Array
      ? Buffer.from(v.bytesValue).toString('base64')
      : String(v.bytesValue)
  }
  return null
}

/**
 * True when an AnyValue sets `field`: the set member is an own property, in a decoded protobufjs message
 * (whose unset members are prototype defaults) as in an OTLP/JSON AnyValue.
 */
function has(v: Obj, field: string): boolean {
  return v[field] != null && Object.hasOwn(v, field)
}

/** int64 attribute values: a number when exact, else the decimal string. */
function intValue(x: unknown): number | string {
  if (typeof x === 'number') return Math.trunc(x)
  const long = x as { low?: number; high?: number }
  // Small values, the common case, need no BigInt: high is the sign extension of low.
  if (typeof long.low === 'number' && (long.high === 0 || (long.high === -1 && long.low < 0))) {
    return long.high === 0 ? long.low >>> 0 : long.low
  }
  const text = nanosSigned(x)
  const n = Number(text)
  return Number.isSafeInteger(n) ? n : text
}

function nanosSigned(x: unknown): string {
  if (typeof x === 'number') return String(Math.trunc(x))
  if (typeof x === 'string') return x
  const long = x as { low: number; high: number }
  if (long && typeof long.low === 'number' && typeof long.high === 'number') {
    return BigInt.asIntN(64, (BigInt(long.high >>> 0) << 32n) | BigInt(long.low >>> 0)).toString()
  }
  return '0'
}
