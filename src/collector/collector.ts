import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { GoblinError } from '../core/errors.js'
import type { AuditAggregator } from './audit-aggregator.js'
import { hostAllowed } from './host-policy.js'
import { IngestQueue } from './ingest-queue.js'
import { type CollectorMetrics, metrics as processMetrics } from './metrics.js'
import { type HttpAnswer, handleOtlpExport, type OtlpSignal, type ReceiverContext } from './otlp-receiver.js'
import { loadOtlpTypes } from './otlp-schema.js'
import { handleQuery } from './query-api.js'
import { type IngestIndex, openSpanStore, type RetentionPolicy, type SpanStore } from './span-store.js'

/** A route handler the collector calls for GET paths (the console's, src/console/); null for paths it does not serve. */
export type ReadRoutes = (url: URL, store: SpanStore) => Promise<HttpAnswer | null>

export interface CollectorOptions {
  host: string
  /** 0 picks a free port. */
  port: number
  /** Directory of the span store (homePaths.spans()). */
  dir: string
  version: string
  indexes?: IngestIndex[]
  metrics?: CollectorMetrics
  retention?: RetentionPolicy
  /** How often retention runs (ms). */
  retentionIntervalMs?: number
  /** Records the ingest queue holds before answering 429. */
  queueCapacity?: number
  /** Largest accepted request body, compressed or not (bytes). */
  maxBodyBytes?: number
  /** Appends `goblin.audit` log records to the audit ledger. */
  audit?: AuditAggregator
  /** What an answered 200 survives: also `power-loss` (the default: an fsync per commit), or `process-crash` only. */
  durability?: Durability
  /** More GET routes, tried before the query API's: the console's page and read endpoints (console-api.ts). */
  readRoutes?: ReadRoutes
}

/** `collector.durability`: see docs/traces.md, "The store", and bench/README.md's durability section. */
export type Durability = 'process-crash' | 'power-loss'

export interface RunningCollector {
  /** `http://host:port` as bound. */
  url: string
  host: string
  port: number
  store: SpanStore
  queue: IngestQueue
  /** Stops accepting, writes everything queued, closes the store. */
  close(): Promise<void>
}

export const DEFAULT_QUEUE_CAPACITY = 100_000

/** The OTLP/HTTP export paths and the signal each receives. */
const OTLP_PATHS = new Map<string, OtlpSignal>([
  ['/v1/traces', 'traces'],
  ['/v1/logs', 'logs'],
  ['/v1/metrics', 'metrics'],
])
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024

/**
 * Starts the embedded collector: OTLP/HTTP receiver (traces, logs, metrics), the store, the Tempo-shaped
 * query API with goblin's own routes, /metrics, /health.
 */
export async function startCollector(options: CollectorOptions): Promise<RunningCollector> {
  const metrics = options.metrics ?? processMetrics
  const store = await openSpanStore({
    dir: options.dir,
    indexes: options.indexes,
    synchronous: options.durability === 'process-crash' ? 'NORMAL' : 'FULL',
  })
  const types = await loadOtlpTypes()
  const queue = new IngestQueue(store, {
    capacity: options.queueCapacity ?? DEFAULT_QUEUE_CAPACITY,
    onCommitted: (spans) => metrics.spansStored(spans),
  })
  metrics.watchQueue(
    () => queue.depth,
    () => queue.capacity,
  )
  const receiver: ReceiverContext = {
    types,
    queue,
    metrics,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    retryAfterSeconds: 1,
    audit: options.audit,
  }
  const health = JSON.stringify({
    status: 'ok',
    service: 'goblin-collector',
    version: options.version,
    pid: process.pid,
  })

  // Known once listening; no request is routed before that.
  let boundAddress = options.host
  const route = async (req: IncomingMessage): Promise<HttpAnswer> => {
    if (!hostAllowed(req.headers.host, boundAddress)) return foreignHost(req, boundAddress)
    const url = new URL(req.url ?? '/', 'http://collector')
    const signal = OTLP_PATHS.get(url.pathname)
    if (signal) {
      if (req.method !== 'POST') return methodNotAllowed(req, 'POST')
      return handleOtlpExport(signal, req, receiver)
    }
    const readRoute =
      url.pathname === '/health' ||
      url.pathname === '/metrics' ||
      url.pathname.startsWith('/api/') ||
      url.pathname === '/console' ||
      url.pathname.startsWith('/console/')
    if (readRoute && req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(req, 'GET')
    if (url.pathname === '/health')
      return { status: 200, headers: { 'content-type': 'application/json' }, body: health }
    if (url.pathname === '/metrics') {
      const { body, contentType } = await metrics.expose()
      return { status: 200, headers: { 'content-type': contentType }, body }
    }
    req.resume()
    return (
      (readRoute ? ((await options.readRoutes?.(url, store)) ?? handleQuery(url, store)) : null) ?? {
        status: 404,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ error: `no route ${url.pathname}` }),
      }
    )
  }

  const server = createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
    route(req).then(
      (answer) => send(res, answer),
      (error: Error) =>
        send(res, {
          status: 500,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ error: error.message }),
        }),
    )
  })
  try {
    await listen(server, options.host, options.port)
  } catch (error) {
    store.close()
    throw error
  }
  const address = server.address() as AddressInfo
  boundAddress = address.address
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address

  const retention = options.retention
  const runRetention = () => {
    if (!retention) return
    try {
      store.applyRetention(retention)
    } catch {
      // A locked store skips this round; the next one catches up.
    }
  }
  runRetention()
  const retentionTimer = retention
    ? setInterval(runRetention, options.retentionIntervalMs ?? 60_000)
    : undefined
  retentionTimer?.unref()

  let closing: Promise<void> | undefined
  return {
    url: `http://${host}:${address.port}`,
    host: address.address,
    port: address.port,
    store,
    queue,
    close() {
      closing ??= (async () => {
        if (retentionTimer) clearInterval(retentionTimer)
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeIdleConnections()
        // Requests already inside get their answers: the queue writes everything it holds first.
        await queue.close()
        const grace = setTimeout(() => server.closeAllConnections(), 2_000)
        await serverClosed
        clearTimeout(grace)
        store.close()
      })()
      return closing
    },
  }
}

/** 403 for a Host name a loopback-bound collector does not serve (DNS rebinding: see host-policy.ts). */
function foreignHost(req: IncomingMessage, boundAddress: string): HttpAnswer {
  req.resume()
  return {
    status: 403,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      error: `Host ${JSON.stringify(req.headers.host)} is not a loopback name, and this collector listens on ${boundAddress} only: use http://127.0.0.1 or http://localhost, or bind the collector to another address (--host) to serve other names`,
    }),
  }
}

function methodNotAllowed(req: IncomingMessage, allowed: string): HttpAnswer {
  req.resume()
  return {
    status: 405,
    headers: { 'content-type': 'text/plain', allow: allowed },
    body: `${req.method} not allowed; use ${allowed}\n`,
  }
}

function send(res: ServerResponse, answer: HttpAnswer): void {
  res.writeHead(answer.status, answer.headers)
  res.end(answer.body)
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening)
      const hint =
        error.code === 'EADDRINUSE'
          ? `Another process holds port ${port}: stop it, or pick another with --port (0 picks a free one).`
          : 'Check --host and --port.'
      reject(
        new GoblinError(
          'COLLECTOR_LISTEN',
          `cannot listen on ${host}:${port}: ${error.code ?? error.message}`,
          {
            hint,
            cause: error,
          },
        ),
      )
    }
    const onListening = () => {
      server.off('error', onError)
      resolve()
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(port, host)
  })
}
