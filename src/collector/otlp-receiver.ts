import type { IncomingMessage } from 'node:http'
import { promisify } from 'node:util'
import { gunzip, inflate } from 'node:zlib'
import { isGoblinError } from '../core/errors.js'
import type { AuditAggregator, TakenAudit } from './audit-aggregator.js'
import type { IngestQueue } from './ingest-queue.js'
import type { CollectorMetrics } from './metrics.js'
import type { LogRecordRow } from './otlp-decode.js'
import { decodeLogsJson, decodeLogsProtobuf, decodeTracesJson } from './otlp-decode.js'
import { decodeMetricsJson, decodeMetricsProtobuf, type MetricPoint } from './otlp-decode-metrics.js'
import type { OtlpTypes } from './otlp-schema.js'
import { decodeTracesProtobuf } from './otlp-traces-protobuf.js'
import type { SpanRecord } from './span-record.js'

/** An HTTP answer: status, headers and body bytes. */
export interface HttpAnswer {
  status: number
  headers: Record<string, string>
  body: Buffer | string
}

export interface ReceiverContext {
  types: OtlpTypes
  queue: IngestQueue
  metrics: CollectorMetrics
  /** Largest request body accepted, before and after decompression. */
  maxBodyBytes: number
  /** Seconds a refused client should wait (Retry-After). */
  retryAfterSeconds: number
  /** Takes `goblin.audit` log records into the audit ledger (collector serve --audit). */
  audit?: AuditAggregator
}

type Encoding = 'protobuf' | 'json'

/** The OTLP/HTTP signals the collector receives: `/v1/traces`, `/v1/logs`, `/v1/metrics`. */
export type OtlpSignal = 'traces' | 'logs' | 'metrics'

/** One request's records, whichever signal it carried; `rejected` were refused alone (partial success). */
interface Decoded {
  spans: SpanRecord[]
  logs: LogRecordRow[]
  points: MetricPoint[]
  rejected: number
  firstError?: string
}

const gunzipAsync = promisify(gunzip)
const inflateAsync = promisify(inflate)

/**
 * Handles one OTLP/HTTP export (`/v1/traces`, `/v1/logs` or `/v1/metrics`) per the OTLP/HTTP spec: 200 (with
 * partial_success when some records were invalid) only after the records are committed; 400 for an
 * undecodable body; 413 for one over the size limit; 415 for an unknown content type; 429 with
 * Retry-After when the queue is full; 503 with Retry-After when the store failed or the collector stops.
 */
export async function handleOtlpExport(
  signal: OtlpSignal,
  req: IncomingMessage,
  ctx: ReceiverContext,
): Promise<HttpAnswer> {
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  const encoding: Encoding | null =
    contentType === 'application/x-protobuf' || contentType === 'application/protobuf'
      ? 'protobuf'
      : contentType === 'application/json'
        ? 'json'
        : null
  if (!encoding) {
    req.resume()
    return plain(
      415,
      `unsupported content type "${contentType}": send application/x-protobuf or application/json`,
    )
  }
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > ctx.maxBodyBytes) {
    req.resume()
    return status(
      ctx,
      encoding,
      413,
      `request body of ${declared} bytes exceeds the limit of ${ctx.maxBodyBytes}`,
      {
        connection: 'close',
      },
    )
  }
  let body: Buffer
  try {
    body = await readBody(req, ctx.maxBodyBytes)
    body = await decompress(body, String(req.headers['content-encoding'] ?? 'identity'), ctx.maxBodyBytes)
  } catch (error) {
    const e = error as HttpFailure
    return status(ctx, encoding, e.status ?? 400, e.message, e.status === 413 ? { connection: 'close' } : {})
  }

  let decoded: Decoded
  try {
    decoded = decode(signal, encoding, ctx.types, body)
  } catch (error) {
    if (isGoblinError(error)) return status(ctx, encoding, 400, error.message)
    throw error
  }

  const { spans, points } = decoded
  let logs = decoded.logs
  let audit: TakenAudit | undefined
  if (ctx.audit && logs.length > 0) {
    audit = await ctx.audit.take(logs)
    logs = audit.logs
    decoded.rejected += audit.rejected
    decoded.firstError ??= audit.firstError
  }
  const dropped = (reason: 'invalid' | 'queue_full' | 'store_error', count: number) =>
    signal === 'metrics'
      ? ctx.metrics.metricPointsDroppedFor(reason, count)
      : ctx.metrics.spansDroppedFor(reason, count)
  if (signal !== 'logs') dropped('invalid', decoded.rejected)
  const committed = ctx.queue.offer(spans, logs, points)
  if (!committed && ctx.queue.isClosed) {
    return status(ctx, encoding, 503, 'the collector is stopping', {
      'retry-after': String(ctx.retryAfterSeconds),
    })
  }
  if (!committed) {
    dropped('queue_full', spans.length + points.length)
    return status(
      ctx,
      encoding,
      429,
      `ingest queue full (${ctx.queue.depth}/${ctx.queue.capacity} records waiting)`,
      {
        'retry-after': String(ctx.retryAfterSeconds),
      },
    )
  }
  try {
    await committed
  } catch (error) {
    dropped('store_error', spans.length + points.length)
    return status(ctx, encoding, 503, `the span store failed: ${(error as Error).message}`, {
      'retry-after': String(ctx.retryAfterSeconds),
    })
  }
  if (logs.length > 0) ctx.metrics.logsStored(logs.length)
  if (points.length > 0) ctx.metrics.metricPointsStored(points.length)
  // The ledger append is the last step that can fail: a request answered 429 or 503 appended nothing.
  if (audit) {
    try {
      const appended = await audit.append()
      decoded.rejected += appended.rejected
      decoded.firstError ??= appended.firstError
    } catch (error) {
      return status(ctx, encoding, 503, `the audit ledger failed: ${(error as Error).message}`, {
        'retry-after': String(ctx.retryAfterSeconds),
      })
    }
  }
  return success(ctx, signal, encoding, decoded.rejected, decoded.firstError)
}

/** The content type picked the encoding; the signal picks the decoder. */
function decode(signal: OtlpSignal, encoding: Encoding, types: OtlpTypes, body: Buffer): Decoded {
  const none = { spans: [], logs: [], points: [] }
  const protobuf = encoding === 'protobuf'
  switch (signal) {
    case 'traces':
      return {
        ...none,
        ...(protobuf ? decodeTracesProtobuf(body) : decodeTracesJson(body.toString('utf8'))),
      }
    case 'logs':
      return {
        ...none,
        ...(protobuf ? decodeLogsProtobuf(types, body) : decodeLogsJson(body.toString('utf8'))),
      }
    case 'metrics':
      return {
        ...none,
        ...(protobuf ? decodeMetricsProtobuf(types, body) : decodeMetricsJson(body.toString('utf8'))),
      }
  }
}

interface HttpFailure extends Error {
  status?: number
}

function failure(statusCode: number, message: string): HttpFailure {
  return Object.assign(new Error(message), { status: statusCode })
}

/** Reads the body, refusing (413) once it passes the limit; the rest is drained, not held. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let over = false
    req.on('data', (chunk: Buffer) => {
      if (over) return
      size += chunk.length
      if (size > limit) {
        over = true
        chunks.length = 0
        reject(failure(413, `request body exceeds the limit of ${limit} bytes`))
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks, size))
    })
    req.on('error', (error) => reject(failure(400, `request body could not be read: ${error.message}`)))
  })
}

async function decompress(body: Buffer, contentEncoding: string, limit: number): Promise<Buffer> {
  const encoding = contentEncoding.trim().toLowerCase()
  if (encoding === 'identity' || encoding === '') return body
  if (encoding !== 'gzip' && encoding !== 'deflate') {
    throw failure(415, `unsupported content encoding "${contentEncoding}": send gzip or identity`)
  }
  try {
    return await (encoding === 'gzip' ? gunzipAsync : inflateAsync)(body, { maxOutputLength: limit })
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'ERR_BUFFER_TOO_LARGE')
      throw failure(413, `decompressed body exceeds the limit of ${limit} bytes`)
    throw failure(400, `${encoding} body does not decompress: ${(error as Error).message}`)
  }
}

/** Each signal's partial-success field (ExportTracePartialSuccess, ...) and response message. */
const PARTIAL_FIELDS: Record<OtlpSignal, string> = {
  traces: 'rejectedSpans',
  logs: 'rejectedLogRecords',
  metrics: 'rejectedDataPoints',
}

function success(
  ctx: ReceiverContext,
  signal: OtlpSignal,
  encoding: Encoding,
  rejected: number,
  errorMessage?: string,
): HttpAnswer {
  const partial =
    rejected > 0 ? { [PARTIAL_FIELDS[signal]]: rejected, errorMessage: errorMessage ?? '' } : undefined
  if (encoding === 'json') {
    // OTLP/JSON writes int64 as a decimal string.
    const body = partial ? { partialSuccess: { ...partial, [PARTIAL_FIELDS[signal]]: String(rejected) } } : {}
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
  }
  const type =
    signal === 'traces'
      ? ctx.types.traceResponse
      : signal === 'logs'
        ? ctx.types.logsResponse
        : ctx.types.metricsResponse
  const bytes = type.encode(type.fromObject(partial ? { partialSuccess: partial } : {})).finish()
  return { status: 200, headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(bytes) }
}

/** An error answer carrying a google.rpc.Status in the request's encoding, as OTLP/HTTP asks. */
function status(
  ctx: ReceiverContext,
  encoding: Encoding,
  statusCode: number,
  message: string,
  headers: Record<string, string> = {},
): HttpAnswer {
  // gRPC codes: INVALID_ARGUMENT 3, RESOURCE_EXHAUSTED 8, UNAVAILABLE 14.
  const code = statusCode === 429 || statusCode === 413 ? 8 : statusCode === 503 ? 14 : 3
  if (encoding === 'json') {
    return {
      status: statusCode,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ code, message }),
    }
  }
  const bytes = ctx.types.rpcStatus.encode(ctx.types.rpcStatus.fromObject({ code, message })).finish()
  return {
    status: statusCode,
    headers: { 'content-type': 'application/x-protobuf', ...headers },
    body: Buffer.from(bytes),
  }
}

function plain(statusCode: number, message: string): HttpAnswer {
  return {
    status: statusCode,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: `${message}\n`,
  }
}
