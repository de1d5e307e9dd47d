import { type DecodedSpans, timeRefusal, undecodable } from './otlp-decode.js'
import type { AttributeValue, SpanRecord } from './span-record.js'

/**
 * Reads an OTLP/protobuf ExportTraceServiceRequest straight into SpanRecords: the wire format walked once,
 * each span's fields written into its record as they are read, without the message objects a generic
 * decoder builds first (they were about a third of the collector's ingest CPU). The result is the one
 * `spansFromTraceRequest` makes of the same request decoded by protobufjs (the unit tests hold them
 * side by side): the same records, the same rejections and messages, and the same refusals (400) of bytes
 * that are not a request — truncated, a bad wire type, invalid UTF-8 in any string field the schema
 * declares, messages nested deeper than protobufjs' limit. A message field sent twice is merged, as
 * protobufjs merges it (repeated fields append, scalars: the last wins); the one exception is an
 * attribute's value sent twice in one KeyValue, where the last value replaces the first. Field numbers
 * are opentelemetry-proto v1's (`otlp-schema.ts`); unknown fields are skipped.
 */
export function decodeTracesProtobuf(bytes: Uint8Array): DecodedSpans {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
  const reader = new WireReader(buf)
  const out: DecodedSpans = { spans: [], rejected: 0 }
  let r = 0
  while (reader.pos < buf.length) {
    const tag = reader.uint32()
    if (tag === REQUEST_RESOURCE_SPANS) resourceSpans(reader, reader.messageEnd(buf.length), r++, out)
    else reader.skip(tag, buf.length)
  }
  return out
}

/** Tags (field number << 3 | wire type) of the fields read; 2 = length-delimited, 0 varint, 1 fixed64. */
const REQUEST_RESOURCE_SPANS = (1 << 3) | 2
const RESOURCE_SPANS_RESOURCE = (1 << 3) | 2
const RESOURCE_SPANS_SCOPE_SPANS = (2 << 3) | 2
const RESOURCE_SPANS_SCHEMA_URL = (3 << 3) | 2
const RESOURCE_ATTRIBUTES = (1 << 3) | 2
const SCOPE_SPANS_SCOPE = (1 << 3) | 2
const SCOPE_SPANS_SPANS = (2 << 3) | 2
const SCOPE_SPANS_SCHEMA_URL = (3 << 3) | 2
const SCOPE_NAME = (1 << 3) | 2
const SCOPE_VERSION = (2 << 3) | 2
const SCOPE_ATTRIBUTES = (3 << 3) | 2
const SPAN_TRACE_ID = (1 << 3) | 2
const SPAN_SPAN_ID = (2 << 3) | 2
const SPAN_TRACE_STATE = (3 << 3) | 2
const SPAN_PARENT_SPAN_ID = (4 << 3) | 2
const SPAN_NAME = (5 << 3) | 2
const SPAN_KIND = (6 << 3) | 0
const SPAN_START = (7 << 3) | 1
const SPAN_END = (8 << 3) | 1
const SPAN_ATTRIBUTES = (9 << 3) | 2
const SPAN_EVENTS = (11 << 3) | 2
const SPAN_LINKS = (13 << 3) | 2
const SPAN_STATUS = (15 << 3) | 2
const EVENT_TIME = (1 << 3) | 1
const EVENT_NAME = (2 << 3) | 2
const EVENT_ATTRIBUTES = (3 << 3) | 2
const LINK_TRACE_ID = (1 << 3) | 2
const LINK_SPAN_ID = (2 << 3) | 2
const LINK_TRACE_STATE = (3 << 3) | 2
const LINK_ATTRIBUTES = (4 << 3) | 2
const STATUS_MESSAGE = (2 << 3) | 2
const STATUS_CODE = (3 << 3) | 0
const KEY_VALUE_KEY = (1 << 3) | 2
const KEY_VALUE_VALUE = (2 << 3) | 2
const ANY_STRING = (1 << 3) | 2
const ANY_BOOL = (2 << 3) | 0
const ANY_INT = (3 << 3) | 0
const ANY_DOUBLE = (4 << 3) | 1
const ANY_ARRAY = (5 << 3) | 2
const ANY_KVLIST = (6 << 3) | 2
const ANY_BYTES = (7 << 3) | 2
/** ArrayValue.values and KeyValueList.values are both field 1. */
const LIST_VALUES = (1 << 3) | 2

/**
 * protobufjs' limit on nested messages (and groups while skipping): protoc's default recursion limit. The
 * request is depth 0, a span 3, its attributes' KeyValues 4; an AnyValue inside an array is two deeper
 * than the array's, so for protobuf bodies this limit comes before otlp-decode's MAX_VALUE_DEPTH.
 */
const MAX_DEPTH = 100

/** The strict decoder protobufjs uses for proto3 strings: invalid UTF-8 is an undecodable request. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** A cursor over the request bytes; every read checks that it stays inside them. */
class WireReader {
  pos = 0
  /** The two halves of the last 64-bit value read (`long`, `fixed64`), unsigned. */
  lo = 0
  hi = 0
  readonly buf: Buffer

  constructor(buf: Buffer) {
    this.buf = buf
  }

  /** A varint's low 32 bits, unsigned (tags, lengths, enums, bools); its further bytes are consumed. */
  uint32(): number {
    const buf = this.buf
    let value = 0
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte(buf)
      value |= (b & 0x7f) << shift
      if (b < 0x80) return value >>> 0
    }
    // Bytes 6 to 10 of a 64-bit varint (a negative int32 is sent as one) carry no low bits.
    for (let i = 5; i < 10; i++) if (this.byte(buf) < 0x80) return value >>> 0
    throw undecodable('protobuf body is not an ExportTraceServiceRequest: invalid varint encoding')
  }

  /** A 64-bit varint into `lo` / `hi`. */
  long(): void {
    const buf = this.buf
    let lo = 0
    let hi = 0
    let b = 0
    for (let shift = 0; shift < 28; shift += 7) {
      b = this.byte(buf)
      lo |= (b & 0x7f) << shift
      if (b < 0x80) {
        this.lo = lo >>> 0
        this.hi = 0
        return
      }
    }
    b = this.byte(buf)
    lo |= (b & 0x7f) << 28
    hi = (b & 0x7f) >> 4
    for (let shift = 3; b >= 0x80; shift += 7) {
      if (shift > 31)
        throw undecodable('protobuf body is not an ExportTraceServiceRequest: invalid varint encoding')
      b = this.byte(buf)
      hi |= (b & 0x7f) << shift
    }
    this.lo = lo >>> 0
    this.hi = hi >>> 0
  }

  /** A fixed64 into `lo` / `hi`. */
  fixed64(): void {
    this.need(8)
    this.lo = this.buf.readUInt32LE(this.pos)
    this.hi = this.buf.readUInt32LE(this.pos + 4)
    this.pos += 8
  }

  double(): number {
    this.need(8)
    const value = this.buf.readDoubleLE(this.pos)
    this.pos += 8
    return value
  }

  /** Reads a length and returns where that field ends, which must be inside `limit` (its message's end). */
  messageEnd(limit: number): number {
    const length = this.uint32()
    const end = this.pos + length
    if (end > limit) throw truncated()
    return end
  }

  /** A length-delimited string, decoded as strict UTF-8. */
  string(limit: number): string {
    const end = this.messageEnd(limit)
    const start = this.pos
    this.pos = end
    if (end === start) return ''
    const text = this.buf.toString('utf8', start, end)
    // The lenient decode marks invalid bytes with U+FFFD; only then is the strict decoder (which throws) needed.
    if (text.includes('\uFFFD')) {
      try {
        return strictUtf8.decode(this.buf.subarray(start, end))
      } catch (error) {
        throw undecodable(
          `protobuf body is not an ExportTraceServiceRequest: ${(error as Error).message}`,
          error,
        )
      }
    }
    return text
  }

  /** Skips the field whose tag was just read (protobufjs' `skipType`). */
  skip(tag: number, limit: number, depth = 0): void {
    if (tag >>> 3 === 0)
      throw undecodable('protobuf body is not an ExportTraceServiceRequest: illegal tag: field number 0')
    switch (tag & 7) {
      case 0:
        this.uint32()
        return
      case 1:
        this.need(8)
        this.pos += 8
        return
      case 2:
        this.pos = this.messageEnd(limit)
        return
      case 3:
        if (depth > MAX_DEPTH) throw tooDeep()
        for (;;) {
          const inner = this.uint32()
          if ((inner & 7) === 4) {
            if (inner >>> 3 !== tag >>> 3)
              throw undecodable('protobuf body is not an ExportTraceServiceRequest: invalid end group tag')
            return
          }
          this.skip(inner, limit, depth + 1)
        }
      case 5:
        this.need(4)
        this.pos += 4
        return
      default:
        throw undecodable(
          `protobuf body is not an ExportTraceServiceRequest: invalid wire type ${tag & 7} at offset ${this.pos}`,
        )
    }
  }

  private byte(buf: Buffer): number {
    if (this.pos >= buf.length) throw truncated()
    return buf[this.pos++] as number
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw truncated()
  }
}

function truncated(): Error {
  return undecodable('protobuf body is not an ExportTraceServiceRequest: index out of range')
}

/**
 * One ResourceSpans: its resource first (it may follow its scopes on the wire), then each ScopeSpans.
 */
function resourceSpans(reader: WireReader, end: number, r: number, out: DecodedSpans): void {
  const start = reader.pos
  const resource: Record<string, AttributeValue> = {}
  while (reader.pos < end) {
    const tag = reader.uint32()
    if (tag === RESOURCE_SPANS_RESOURCE) {
      const resourceEnd = reader.messageEnd(end)
      while (reader.pos < resourceEnd) {
        const field = reader.uint32()
        if (field === RESOURCE_ATTRIBUTES) keyValue(reader, reader.messageEnd(resourceEnd), resource, 3)
        else reader.skip(field, resourceEnd)
      }
    } else if (tag === RESOURCE_SPANS_SCHEMA_URL) reader.string(end)
    else reader.skip(tag, end)
  }
  const service = resource['service.name']
  const serviceName = typeof service === 'string' ? service : 'unknown'
  reader.pos = start
  let s = 0
  while (reader.pos < end) {
    const tag = reader.uint32()
    if (tag === RESOURCE_SPANS_SCOPE_SPANS) {
      scopeSpans(reader, reader.messageEnd(end), r, s++, resource, serviceName, out)
    } else reader.skip(tag, end)
  }
}

/** One ScopeSpans: the scope's name first (it may follow the spans), then each span. */
function scopeSpans(
  reader: WireReader,
  end: number,
  r: number,
  s: number,
  resource: Record<string, AttributeValue>,
  serviceName: string,
  out: DecodedSpans,
): void {
  const start = reader.pos
  let scopeName = ''
  while (reader.pos < end) {
    const tag = reader.uint32()
    if (tag === SCOPE_SPANS_SCOPE) {
      const scopeEnd = reader.messageEnd(end)
      while (reader.pos < scopeEnd) {
        const field = reader.uint32()
        if (field === SCOPE_NAME) scopeName = reader.string(scopeEnd)
        else if (field === SCOPE_VERSION) reader.string(scopeEnd)
        else if (field === SCOPE_ATTRIBUTES) keyValue(reader, reader.messageEnd(scopeEnd), {}, 4)
        else reader.skip(field, scopeEnd)
      }
    } else if (tag === SCOPE_SPANS_SCHEMA_URL) reader.string(end)
    else reader.skip(tag, end)
  }
  reader.pos = start
  let i = 0
  while (reader.pos < end) {
    const tag = reader.uint32()
    if (tag === SCOPE_SPANS_SPANS) {
      const record = span(reader, reader.messageEnd(end), resource, serviceName, out, r, s, i++)
      if (record) {
        if (scopeName) record.scopeName = scopeName
        out.spans.push(record)
      }
    } else reader.skip(tag, end)
  }
}

/** One Span as a SpanRecord, or null when it is rejected (counted in `out`, the first reason kept). */
function span(
  reader: WireReader,
  end: number,
  resource: Record<string, AttributeValue>,
  serviceName: string,
  out: DecodedSpans,
  r: number,
  s: number,
  i: number,
): SpanRecord | null {
  let traceId: string | null = null
  let spanId: string | null = null
  let parent: string | null = ''
  let name = ''
  let kind = 0
  let startTimeUnixNano = '0'
  let endTimeUnixNano = '0'
  let statusCode = 0
  let statusMessage = ''
  const attributes: Record<string, AttributeValue> = {}
  let events: SpanRecord['events']
  let links: SpanRecord['links']
  let badLink = false
  while (reader.pos < end) {
    const tag = reader.uint32()
    switch (tag) {
      case SPAN_TRACE_ID:
        traceId = id(reader, end, 16, false)
        break
      case SPAN_SPAN_ID:
        spanId = id(reader, end, 8, false)
        break
      case SPAN_PARENT_SPAN_ID:
        parent = id(reader, end, 8, true)
        break
      case SPAN_TRACE_STATE:
        reader.string(end)
        break
      case SPAN_NAME:
        name = reader.string(end)
        break
      case SPAN_KIND:
        kind = reader.uint32() | 0
        break
      case SPAN_START:
        reader.fixed64()
        startTimeUnixNano = u64Decimal(reader.lo, reader.hi)
        break
      case SPAN_END:
        reader.fixed64()
        endTimeUnixNano = u64Decimal(reader.lo, reader.hi)
        break
      case SPAN_ATTRIBUTES:
        keyValue(reader, reader.messageEnd(end), attributes, 4)
        break
      case SPAN_EVENTS:
        events ??= []
        events.push(event(reader, reader.messageEnd(end)))
        break
      case SPAN_LINKS: {
        const link = readLink(reader, reader.messageEnd(end))
        if (!link) badLink = true
        else {
          links ??= []
          links.push(link)
        }
        break
      }
      case SPAN_STATUS: {
        const statusEnd = reader.messageEnd(end)
        while (reader.pos < statusEnd) {
          const field = reader.uint32()
          if (field === STATUS_CODE) statusCode = reader.uint32() | 0
          else if (field === STATUS_MESSAGE) statusMessage = reader.string(statusEnd)
          else reader.skip(field, statusEnd)
        }
        break
      }
      default:
        reader.skip(tag, end)
    }
  }
  reader.pos = end
  const where = `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`
  if (!traceId || !spanId || parent === null) {
    out.rejected++
    out.firstError ??= `${where}: invalid ${!traceId ? 'traceId' : !spanId ? 'spanId' : 'parentSpanId'}`
    return null
  }
  const badTime = timeRefusal(startTimeUnixNano, endTimeUnixNano)
  if (badTime) {
    out.rejected++
    out.firstError ??= `${where}: ${badTime}`
    return null
  }
  if (badLink) {
    out.rejected++
    out.firstError ??= `${where}: a link with an invalid traceId or spanId`
    return null
  }
  const record: SpanRecord = {
    traceId,
    spanId,
    parentSpanId: parent || null,
    name,
    kind,
    startTimeUnixNano,
    endTimeUnixNano,
    statusCode,
    serviceName,
    attributes,
    resource,
  }
  if (statusMessage) record.statusMessage = statusMessage
  if (events) record.events = events
  if (links) record.links = links
  return record
}

function event(reader: WireReader, end: number): NonNullable<SpanRecord['events']>[number] {
  let name = ''
  let timeUnixNano = '0'
  const attributes: Record<string, AttributeValue> = {}
  while (reader.pos < end) {
    const tag = reader.uint32()
    if (tag === EVENT_TIME) {
      reader.fixed64()
      timeUnixNano = u64Decimal(reader.lo, reader.hi)
    } else if (tag === EVENT_NAME) name = reader.string(end)
    else if (tag === EVENT_ATTRIBUTES) keyValue(reader, reader.messageEnd(end), attributes, 5)
    else reader.skip(tag, end)
  }
  return { name, timeUnixNano, attributes }
}

/** A span link, or null when its trace or span id is invalid (the span is then rejected whole). */
function readLink(reader: WireReader, end: number): NonNullable<SpanRecord['links']>[number] | null {
  let traceId: string | null = null
  let spanId: string | null = null
  let traceState = ''
  const attributes: Record<string, AttributeValue> = {}
  while (reader.pos < end) {
    const tag = reader.uint32()
    if (tag === LINK_TRACE_ID) traceId = id(reader, end, 16, false)
    else if (tag === LINK_SPAN_ID) spanId = id(reader, end, 8, false)
    else if (tag === LINK_TRACE_STATE) traceState = reader.string(end)
    else if (tag === LINK_ATTRIBUTES) keyValue(reader, reader.messageEnd(end), attributes, 5)
    else reader.skip(tag, end)
  }
  if (!traceId || !spanId) return null
  return { traceId, spanId, ...(traceState ? { traceState } : {}), attributes }
}

const ZERO_TRACE = '0'.repeat(32)
const ZERO_SPAN = '0'.repeat(16)

/**
 * An id field as lowercase hex; null when invalid (wrong length, all zeroes), '' when empty and
 * `allowEmpty` (a root span's parent).
 */
function id(reader: WireReader, limit: number, bytes: number, allowEmpty: boolean): string | null {
  const end = reader.messageEnd(limit)
  const start = reader.pos
  reader.pos = end
  if (end === start) return allowEmpty ? '' : null
  if (end - start !== bytes) return null
  const hex = reader.buf.toString('hex', start, end)
  return hex === (bytes === 16 ? ZERO_TRACE : ZERO_SPAN) ? null : hex
}

/** One KeyValue (at message depth `q`) into `into`; later duplicates win, as in `attributesOf`. */
function keyValue(reader: WireReader, end: number, into: Record<string, AttributeValue>, q: number): void {
  if (q > MAX_DEPTH) throw tooDeep()
  let key = ''
  let value: AttributeValue = null
  while (reader.pos < end) {
    const tag = reader.uint32()
    if (tag === KEY_VALUE_KEY) key = reader.string(end)
    else if (tag === KEY_VALUE_VALUE) value = anyValue(reader, reader.messageEnd(end), q + 1)
    else reader.skip(tag, end)
  }
  // `into[key] =` would set the object's prototype for "__proto__" and lose the attribute.
  if (key === '__proto__')
    Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true })
  else into[key] = value
}

/** Which AnyValue members were sent, so that one sent twice over resolves as `anyValue` in otlp-decode.ts. */
const HAS_STRING = 1
const HAS_INT = 2
const HAS_DOUBLE = 4
const HAS_BOOL = 8
const HAS_ARRAY = 16
const HAS_KVLIST = 32
const HAS_BYTES = 64

function tooDeep(): Error {
  return undecodable('protobuf body is not an ExportTraceServiceRequest: max depth exceeded')
}

/**
 * An AnyValue (at message depth `q`) as a JSON value. When several members are sent (a malformed oneof),
 * the first of string, int, double, bool, array, kvlist, bytes wins, as `anyValue` in otlp-decode.ts.
 */
function anyValue(reader: WireReader, end: number, q: number): AttributeValue {
  if (q > MAX_DEPTH) throw tooDeep()
  let seen = 0
  let text = ''
  let int: number | string = 0
  let double = 0
  let bool = false
  const array: AttributeValue[] = []
  const kvlist: Record<string, AttributeValue> = {}
  let bytes = ''
  while (reader.pos < end) {
    const tag = reader.uint32()
    switch (tag) {
      case ANY_STRING:
        text = reader.string(end)
        seen |= HAS_STRING
        break
      case ANY_INT:
        reader.long()
        int = int64Value(reader.lo, reader.hi)
        seen |= HAS_INT
        break
      case ANY_DOUBLE:
        double = reader.double()
        seen |= HAS_DOUBLE
        break
      case ANY_BOOL:
        bool = reader.uint32() !== 0
        seen |= HAS_BOOL
        break
      case ANY_ARRAY: {
        const arrayEnd = reader.messageEnd(end)
        if (q + 1 > MAX_DEPTH) throw tooDeep()
        while (reader.pos < arrayEnd) {
          const field = reader.uint32()
          if (field === LIST_VALUES) array.push(anyValue(reader, reader.messageEnd(arrayEnd), q + 2))
          else reader.skip(field, arrayEnd)
        }
        seen |= HAS_ARRAY
        break
      }
      case ANY_KVLIST: {
        const listEnd = reader.messageEnd(end)
        if (q + 1 > MAX_DEPTH) throw tooDeep()
        while (reader.pos < listEnd) {
          const field = reader.uint32()
          if (field === LIST_VALUES) keyValue(reader, reader.messageEnd(listEnd), kvlist, q + 2)
          else reader.skip(field, listEnd)
        }
        seen |= HAS_KVLIST
        break
      }
      case ANY_BYTES: {
        const bytesEnd = reader.messageEnd(end)
        bytes = reader.buf.toString('base64', reader.pos, bytesEnd)
        reader.pos = bytesEnd
        seen |= HAS_BYTES
        break
      }
      default:
        reader.skip(tag, end)
    }
  }
  if (seen & HAS_STRING) return text
  if (seen & HAS_INT) return int
  if (seen & HAS_DOUBLE) return double
  if (seen & HAS_BOOL) return bool
  if (seen & HAS_ARRAY) return array
  if (seen & HAS_KVLIST) return kvlist
  if (seen & HAS_BYTES) return bytes
  return null
}

/** An int64 attribute value: a number when exact, else the decimal string (as `intValue` in otlp-decode.ts). */
function int64Value(lo: number, hi: number): number | string {
  if (hi === 0) return lo
  if (hi === 0xffffffff && lo >= 0x80000000) return lo | 0
  const value = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo))
  const n = Number(value)
  return Number.isSafeInteger(n) ? n : value.toString()
}

/**
 * An unsigned 64-bit value as a decimal string, without BigInt: below 2^53 a double holds it exactly;
 * above, one long division by 10^9 over 16-bit digits, whose partial values all stay below 2^53.
 */
export function u64Decimal(lo: number, hi: number): string {
  if (hi < 0x200000) return String(hi * 4294967296 + lo)
  const qTop = Math.floor(hi / 1e9)
  let rest = hi - qTop * 1e9
  let part = rest * 65536 + (lo >>> 16)
  const qMid = Math.floor(part / 1e9)
  rest = part - qMid * 1e9
  part = rest * 65536 + (lo & 0xffff)
  const qLow = Math.floor(part / 1e9)
  rest = part - qLow * 1e9
  const quotient = qTop * 4294967296 + qMid * 65536 + qLow
  return `${quotient}${String(rest).padStart(9, '0')}`
}
