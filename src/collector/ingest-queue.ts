import type { LogRecordRow } from './otlp-decode.js'
import type { MetricPoint } from './otlp-decode-metrics.js'
import type { SpanRecord } from './span-record.js'
import type { SpanStore } from './span-store.js'

export interface IngestQueueOptions {
  /** Most spans, log records and metric points waiting at once; an offer beyond it is refused (HTTP 429). */
  capacity: number
  /** Most records written in one transaction. */
  maxBatch?: number
  /** Milliseconds a small batch waits for more requests before it is written. */
  coalesceMs?: number
  /** Called after each commit with the spans it stored (metrics). */
  onCommitted?: (spans: SpanRecord[]) => void
}

interface Pending {
  spans: SpanRecord[]
  logs: LogRecordRow[]
  points: MetricPoint[]
  size: number
  resolve: () => void
  reject: (error: Error) => void
}

/**
 * The bounded queue between the HTTP receiver and the store, with group commit: every waiting request
 * is written in one transaction, and each request's promise resolves only after its records are
 * committed, so the receiver acknowledges nothing that is not durable. When the store is locked
 * (SQLite BUSY) the batch stays queued and is retried; the queue then fills and offers are refused.
 */
export class IngestQueue {
  private readonly store: SpanStore
  private readonly options: Required<Omit<IngestQueueOptions, 'onCommitted'>> & IngestQueueOptions
  private pending: Pending[] = []
  private waiting = 0
  private scheduled = false
  private retryTimer: NodeJS.Timeout | undefined
  private drainers: Array<() => void> = []
  private closed = false

  constructor(store: SpanStore, options: IngestQueueOptions) {
    this.store = store
    this.options = { maxBatch: 20_000, coalesceMs: 5, ...options }
  }

  /** Records waiting to be written. */
  get depth(): number {
    return this.waiting
  }

  get capacity(): number {
    return this.options.capacity
  }

  /** True once `close` was called: offers are refused because the collector is stopping. */
  get isClosed(): boolean {
    return this.closed
  }

  /**
   * Queues records; the promise settles when they are committed (or the write failed).
   * Returns null, queueing nothing, when they do not fit or the queue is closed.
   */
  offer(spans: SpanRecord[], logs: LogRecordRow[] = [], points: MetricPoint[] = []): Promise<void> | null {
    const size = spans.length + logs.length + points.length
    if (this.closed) return null
    if (size === 0) return Promise.resolve()
    // A request larger than the whole queue still goes through when the queue is empty.
    if (this.waiting > 0 && this.waiting + size > this.options.capacity) return null
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ spans, logs, points, size, resolve, reject })
      this.waiting += size
      this.schedule()
    })
  }

  /** Stops accepting offers and resolves once everything queued is committed (or failed for good). */
  async close(): Promise<void> {
    this.closed = true
    if (this.waiting === 0) return
    await new Promise<void>((resolve) => {
      this.drainers.push(resolve)
      this.schedule()
    })
  }

  private schedule(): void {
    if (this.scheduled || this.retryTimer) return
    this.scheduled = true
    // Wait a moment so requests arriving meanwhile join the same transaction: a commit's cost is mostly the
    // index pages it rewrites, so fewer, larger commits store more spans per second. A full batch goes at once.
    const run = () => {
      this.scheduled = false
      this.writeBatch()
    }
    if (this.waiting >= this.options.maxBatch / 4 || this.closed) setImmediate(run)
    else setTimeout(run, this.options.coalesceMs)
  }

  private writeBatch(): void {
    const batch: Pending[] = []
    let size = 0
    while (
      this.pending.length > 0 &&
      (size === 0 || size + (this.pending[0]?.size ?? 0) <= this.options.maxBatch)
    ) {
      const next = this.pending.shift() as Pending
      batch.push(next)
      size += next.size
    }
    if (batch.length === 0) {
      this.notifyDrained()
      return
    }
    const spans = batch.length === 1 ? (batch[0] as Pending).spans : batch.flatMap((p) => p.spans)
    const logs = batch.length === 1 ? (batch[0] as Pending).logs : batch.flatMap((p) => p.logs)
    const points = batch.length === 1 ? (batch[0] as Pending).points : batch.flatMap((p) => p.points)
    try {
      this.store.ingest(spans, logs, points)
    } catch (error) {
      if (isBusy(error)) {
        // Another writer holds the lock: keep the batch at the head and try again shortly.
        this.pending.unshift(...batch)
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined
          this.schedule()
        }, 25)
        return
      }
      this.waiting -= size
      for (const p of batch) p.reject(error as Error)
      this.continue()
      return
    }
    this.waiting -= size
    this.options.onCommitted?.(spans)
    for (const p of batch) p.resolve()
    this.continue()
  }

  private continue(): void {
    if (this.pending.length > 0) this.schedule()
    else this.notifyDrained()
  }

  private notifyDrained(): void {
    if (this.waiting !== 0) return
    const drainers = this.drainers
    this.drainers = []
    for (const resolve of drainers) resolve()
  }
}

/** SQLite BUSY / LOCKED: another connection holds the write lock. */
function isBusy(error: unknown): boolean {
  const e = error as { errcode?: number; message?: string }
  return e.errcode === 5 || e.errcode === 6 || /database is locked|SQLITE_BUSY/i.test(e.message ?? '')
}
