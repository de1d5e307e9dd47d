import {
  asArray,
  asObject,
  attributesOf,
  enumNumber,
  fitsStore,
  MAX_STORED_NANOS,
  nanos,
  type Obj,
  parseOtlpJson,
  undecodable,
} from './otlp-decode.js'
import type { OtlpTypes } from './otlp-schema.js'
import type { AttributeValue } from './span-record.js'

/** The OTLP metric data types goblin stores. */
export type MetricKind = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary'

/** How a point's value relates to earlier ones: per interval (delta), since the start time, or none (gauges). */
export type Temporality = 'delta' | 'cumulative' | 'none'

/** What one Metric message says about all its points: name, type, unit, and where they came from. */
export interface MetricStream {
  name: string
  description: string
  unit: string
  kind: MetricKind
  temporality: Temporality
  /** Sums only: the value never decreases except on a reset (a counter, not an up-down counter). */
  monotonic: boolean
  resource: Record<string, AttributeValue>
  serviceName: string
  scopeName?: string
  scopeVersion?: string
}

/** Explicit-bucket histogram buckets: `counts[i]` observations at most `bounds[i]` (the last: above all). */
export interface ExplicitBuckets {
  bounds: number[]
  counts: number[]
}

/** Base-2 exponential histogram buckets, as OTLP defines them (scale, offsets, zero bucket). */
export interface ExponentialBuckets {
  scale: number
  zeroCount: number
  zeroThreshold: number
  positive: { offset: number; counts: number[] }
  negative: { offset: number; counts: number[] }
}

/** A summary's quantiles. */
export interface SummaryQuantiles {
  quantiles: Array<{ quantile: number; value: number }>
}

/** One data point, flattened like SpanRecord; points of one Metric message share one `stream` object. */
export interface MetricPoint {
  stream: MetricStream
  attributes: Record<string, AttributeValue>
  /** Unix nanoseconds as decimal strings; start is '0' when the sender left it out (gauges often do). */
  startTimeUnixNano: string
  timeUnixNano: string
  /** Gauges and sums: the value; null for NaN. */
  value: number | null
  /** Histograms and summaries: how many observations, their sum (null when not sent), min and max. */
  count: number | null
  sum: number | null
  min: number | null
  max: number | null
  buckets: ExplicitBuckets | ExponentialBuckets | SummaryQuantiles | null
}

/** Points decoded from one OTLP metrics request; `rejected` counts points refused (partial success). */
export interface DecodedMetrics {
  points: MetricPoint[]
  rejected: number
  firstError?: string
}

/** DataPointFlags.FLAG_NO_RECORDED_VALUE: the point only says its series went stale; it carries no value. */
const FLAG_NO_RECORDED_VALUE = 1

const TEMPORALITIES: Record<string, number> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
}

/** Decodes an OTLP/HTTP protobuf metrics body. Throws OTLP_UNDECODABLE when the bytes are not a request. */
export function decodeMetricsProtobuf(types: OtlpTypes, bytes: Uint8Array): DecodedMetrics {
  let message: unknown
  try {
    message = types.metricsRequest.decode(bytes)
  } catch (error) {
    throw undecodable(
      `protobuf body is not an ExportMetricsServiceRequest: ${(error as Error).message}`,
      error,
    )
  }
  return pointsFromMetricsRequest(message)
}

/** Decodes an OTLP/HTTP JSON metrics body. A field of the wrong JSON type is undecodable (HTTP 400). */
export function decodeMetricsJson(text: string): DecodedMetrics {
  return pointsFromMetricsRequest(parseOtlpJson(text))
}

/**
 * Maps a decoded metrics request (protobufjs message or parsed OTLP/JSON) to points. A field of the wrong
 * type throws (the body is not OTLP, 400); a point that is well-formed but unusable — no metric name, an
 * unspecified temporality, no time, no value — is refused alone and counted, as OTLP partial success asks.
 * A point flagged "no recorded value" (a staleness marker) carries nothing to store and is skipped.
 */
export function pointsFromMetricsRequest(request: unknown): DecodedMetrics {
  const root = asObject(request, 'request')
  const out: DecodedMetrics = { points: [], rejected: 0 }
  for (const [r, rm] of asArray(root.resourceMetrics, 'resourceMetrics').entries()) {
    const rmObj = asObject(rm, `resourceMetrics[${r}]`)
    const resource = attributesOf(asObject(rmObj.resource, 'resource').attributes)
    const serviceName = typeof resource['service.name'] === 'string' ? resource['service.name'] : 'unknown'
    for (const [s, sm] of asArray(rmObj.scopeMetrics, `resourceMetrics[${r}].scopeMetrics`).entries()) {
      const smObj = asObject(sm, `resourceMetrics[${r}].scopeMetrics[${s}]`)
      const scope = asObject(smObj.scope, 'scope')
      const metrics = asArray(smObj.metrics, `resourceMetrics[${r}].scopeMetrics[${s}].metrics`)
      for (const [m, raw] of metrics.entries()) {
        const at = `resourceMetrics[${r}].scopeMetrics[${s}].metrics[${m}]`
        const metric = asObject(raw, at)
        const data = metricData(metric, at)
        if (!data) continue
        const points = asArray(data.body.dataPoints, `${at}.${data.field}.dataPoints`)
        const refuse = (count: number, why: string) => {
          out.rejected += count
          out.firstError ??= `${at}: ${why}`
        }
        const name = text(metric.name, `${at}.name`)
        if (!name) {
          refuse(points.length, 'metric name is empty')
          continue
        }
        const temporality = temporalityOf(data.kind, data.body, `${at}.${data.field}`)
        if (temporality === null) {
          refuse(points.length, `${name}: aggregationTemporality is unspecified (send delta or cumulative)`)
          continue
        }
        const stream: MetricStream = {
          name,
          description: text(metric.description, `${at}.description`),
          unit: text(metric.unit, `${at}.unit`),
          kind: data.kind,
          temporality,
          monotonic: data.kind === 'sum' && bool(data.body.isMonotonic, `${at}.sum.isMonotonic`),
          resource,
          serviceName,
        }
        const scopeName = text(scope.name, 'scope.name')
        const scopeVersion = text(scope.version, 'scope.version')
        if (scopeName) stream.scopeName = scopeName
        if (scopeVersion) stream.scopeVersion = scopeVersion
        for (const [i, rawPoint] of points.entries()) {
          const where = `${at}.${data.field}.dataPoints[${i}]`
          const result = readPoint(stream, asObject(rawPoint, where), where)
          if (typeof result === 'string') {
            out.rejected++
            out.firstError ??= `${where}: ${name}: ${result}`
          } else if (result) out.points.push(result)
        }
      }
    }
  }
  return out
}

const DATA_FIELDS: Array<[string, MetricKind]> = [
  ['sum', 'sum'],
  ['gauge', 'gauge'],
  ['histogram', 'histogram'],
  ['exponentialHistogram', 'exponential_histogram'],
  ['summary', 'summary'],
]

/** The Metric's `data` oneof: which type it is and its body; null for a metric that carries none. */
function metricData(metric: Obj, at: string): { field: string; kind: MetricKind; body: Obj } | null {
  for (const [field, kind] of DATA_FIELDS) {
    // The set member is an own property, in a protobufjs message (unset members are prototype nulls) as in JSON.
    if (Object.hasOwn(metric, field) && metric[field] != null)
      return { field, kind, body: asObject(metric[field], `${at}.${field}`) }
  }
  return null
}

/** Gauges have no temporality and summaries are cumulative by definition; the others must say which. */
function temporalityOf(kind: MetricKind, body: Obj, at: string): Temporality | null {
  if (kind === 'gauge') return 'none'
  if (kind === 'summary') return 'cumulative'
  const raw = body.aggregationTemporality
  if (raw !== undefined && raw !== null && typeof raw !== 'number' && typeof raw !== 'string')
    throw undecodable(`${at}.aggregationTemporality: ${JSON.stringify(raw)} is not an enum value`)
  const value = enumNumber(raw, TEMPORALITIES)
  return value === 1 ? 'delta' : value === 2 ? 'cumulative' : null
}

/** One data point, or why it is refused (a string), or null for a staleness marker. */
function readPoint(stream: MetricStream, p: Obj, at: string): MetricPoint | string | null {
  const flags = p.flags === undefined || p.flags === null ? 0 : integer(p.flags, `${at}.flags`)
  if ((flags & FLAG_NO_RECORDED_VALUE) !== 0) return null
  const timeUnixNano = time(p.timeUnixNano, `${at}.timeUnixNano`)
  const startTimeUnixNano = time(p.startTimeUnixNano, `${at}.startTimeUnixNano`)
  if (timeUnixNano === '0') return 'timeUnixNano is missing'
  if (!fitsStore(timeUnixNano) || !fitsStore(startTimeUnixNano))
    return `${fitsStore(timeUnixNano) ? 'startTimeUnixNano' : 'timeUnixNano'} is past ${MAX_STORED_NANOS} (year 2262)`
  if (BigInt(startTimeUnixNano) > BigInt(timeUnixNano)) return 'startTimeUnixNano is after timeUnixNano'
  const point: MetricPoint = {
    stream,
    attributes: attributesOf(p.attributes),
    startTimeUnixNano,
    timeUnixNano,
    value: null,
    count: null,
    sum: null,
    min: null,
    max: null,
    buckets: null,
  }
  switch (stream.kind) {
    case 'gauge':
    case 'sum': {
      const has = (field: string) => Object.hasOwn(p, field) && p[field] != null
      if (has('asDouble')) point.value = nanAsNull(double(p.asDouble, `${at}.asDouble`))
      else if (has('asInt')) point.value = integer(p.asInt, `${at}.asInt`)
      else return 'the point has neither asDouble nor asInt'
      return point
    }
    case 'histogram':
      readCountSum(point, p, at)
      point.buckets = {
        bounds: asArray(p.explicitBounds, `${at}.explicitBounds`).map((b, i) =>
          double(b, `${at}.explicitBounds[${i}]`),
        ),
        counts: counts(p.bucketCounts, `${at}.bucketCounts`),
      }
      return point
    case 'exponential_histogram': {
      readCountSum(point, p, at)
      const buckets = (side: 'positive' | 'negative') => {
        const b = asObject(p[side], `${at}.${side}`)
        return {
          offset: b.offset === undefined || b.offset === null ? 0 : integer(b.offset, `${at}.${side}.offset`),
          counts: counts(b.bucketCounts, `${at}.${side}.bucketCounts`),
        }
      }
      point.buckets = {
        scale: p.scale === undefined || p.scale === null ? 0 : integer(p.scale, `${at}.scale`),
        zeroCount: optionalCount(p.zeroCount, `${at}.zeroCount`) ?? 0,
        zeroThreshold: optionalDouble(p.zeroThreshold, `${at}.zeroThreshold`) ?? 0,
        positive: buckets('positive'),
        negative: buckets('negative'),
      }
      return point
    }
    case 'summary':
      readCountSum(point, p, at)
      point.buckets = {
        quantiles: asArray(p.quantileValues, `${at}.quantileValues`).map((raw, i) => {
          const q = asObject(raw, `${at}.quantileValues[${i}]`)
          return {
            quantile: optionalDouble(q.quantile, `${at}.quantileValues[${i}].quantile`) ?? 0,
            value: optionalDouble(q.value, `${at}.quantileValues[${i}].value`) ?? 0,
          }
        }),
      }
      return point
  }
}

function readCountSum(point: MetricPoint, p: Obj, at: string): void {
  point.count = optionalCount(p.count, `${at}.count`) ?? 0
  point.sum = nanAsNull(optionalDouble(p.sum, `${at}.sum`))
  point.min = nanAsNull(optionalDouble(p.min, `${at}.min`))
  point.max = nanAsNull(optionalDouble(p.max, `${at}.max`))
}

function counts(value: unknown, at: string): number[] {
  return asArray(value, at).map((c, i) => optionalCount(c, `${at}[${i}]`) ?? 0)
}

/** A string field ('' when absent). */
function text(value: unknown, at: string): string {
  if (value === undefined || value === null) return ''
  if (typeof value !== 'string') throw undecodable(`${at}: ${JSON.stringify(value)} is not a string`)
  return value
}

function bool(value: unknown, at: string): boolean {
  if (value === undefined || value === null) return false
  if (typeof value !== 'boolean') throw undecodable(`${at}: ${JSON.stringify(value)} is not a boolean`)
  return value
}

/** A fixed64 time: a protobufjs Long, or in JSON a decimal string or number. */
function time(value: unknown, at: string): string {
  if (typeof value === 'string' && !/^\d+$/.test(value))
    throw undecodable(`${at}: ${JSON.stringify(value)} is not Unix nanoseconds`)
  if (typeof value === 'number' && !(Number.isInteger(value) && value >= 0))
    throw undecodable(`${at}: ${value} is not Unix nanoseconds`)
  if (typeof value === 'boolean' || Array.isArray(value))
    throw undecodable(`${at}: ${JSON.stringify(value)} is not Unix nanoseconds`)
  return nanos(value)
}

const INTEGER_TEXT = /^-?\d+$/

/**
 * An int64, uint64 or int32 field as a number: a protobufjs Long (or plain number), or in JSON a number or
 * decimal string. Values past 2^53 lose their last digits, as every value goblin aggregates is a double.
 */
function integer(value: unknown, at: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value
  if (typeof value === 'string' && INTEGER_TEXT.test(value)) return Number(value)
  const long = value as { low?: unknown; high?: unknown; unsigned?: boolean } | null
  if (long && typeof long === 'object' && typeof long.low === 'number' && typeof long.high === 'number') {
    const high = long.unsigned ? long.high >>> 0 : long.high
    return high * 2 ** 32 + (long.low >>> 0)
  }
  throw undecodable(`${at}: ${JSON.stringify(value)} is not an integer`)
}

/** A count (uint64): an integer that is not negative; null when absent. */
function optionalCount(value: unknown, at: string): number | null {
  if (value === undefined || value === null) return null
  const n = integer(value, at)
  if (n < 0) throw undecodable(`${at}: ${n} is not a count (negative)`)
  return n
}

/** A double: a number, or in JSON also a decimal string or "NaN" / "Infinity" / "-Infinity" (proto3 JSON). */
function double(value: unknown, at: string): number {
  if (typeof value === 'number') return value
  if (typeof value === 'string') {
    if (value === 'NaN') return Number.NaN
    if (value === 'Infinity') return Number.POSITIVE_INFINITY
    if (value === '-Infinity') return Number.NEGATIVE_INFINITY
    const n = value.trim() === '' ? Number.NaN : Number(value)
    if (Number.isFinite(n)) return n
  }
  throw undecodable(`${at}: ${JSON.stringify(value)} is not a number`)
}

function optionalDouble(value: unknown, at: string): number | null {
  return value === undefined || value === null ? null : double(value, at)
}

/** SQLite stores NaN as NULL: say so here, where the value is read, rather than let the column decide. */
function nanAsNull(value: number | null): number | null {
  return value === null || Number.isNaN(value) ? null : value
}
