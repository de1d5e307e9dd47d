import client from 'prom-client'
import { DECISION_EVENT } from '../policy/decision-record.js'
import type { RejectReason } from './audit-aggregator.js'
import type { SpanRecord } from './span-record.js'

/** Labels of `goblin_cost_usd_total`. */
export interface CostLabels {
  goblin: string
  model: string
  provider: string
}

/** Buckets for task latency: 10 ms to about 45 minutes. */
const TASK_LATENCY_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 2700]

/** The collector's Prometheus metrics, in a registry of their own (never the global one). */
export class CollectorMetrics {
  readonly registry = new client.Registry()
  private readonly spansReceived: client.Counter
  private readonly spansDropped: client.Counter<'reason'>
  private readonly logsReceived: client.Counter
  private readonly metricPointsReceived: client.Counter
  private readonly metricPointsDropped: client.Counter<'reason'>
  private readonly taskLatency: client.Histogram<'goblin'>
  private readonly cost: client.Counter<'goblin' | 'model' | 'provider'>
  private readonly policyDecisions: client.Counter<'decision' | 'goblin' | 'action'>
  private readonly auditAppendedTotal: client.Counter
  private readonly auditRejectedTotal: client.Counter<'reason'>
  private queueDepth: () => number = () => 0
  private queueCapacity: () => number = () => 0

  constructor() {
    const registers = [this.registry]
    this.spansReceived = new client.Counter({
      name: 'goblin_spans_received_total',
      help: 'Spans the collector accepted and stored.',
      registers,
    })
    this.spansDropped = new client.Counter({
      name: 'goblin_spans_dropped_total',
      help: 'Spans the collector refused: invalid (reason="invalid"), queue full (reason="queue_full"), store failure (reason="store_error").',
      labelNames: ['reason'],
      registers,
    })
    this.logsReceived = new client.Counter({
      name: 'goblin_logs_received_total',
      help: 'Log records the collector accepted and stored.',
      registers,
    })
    this.metricPointsReceived = new client.Counter({
      name: 'goblin_metric_points_received_total',
      help: 'OTLP metric data points the collector accepted and stored.',
      registers,
    })
    this.metricPointsDropped = new client.Counter({
      name: 'goblin_metric_points_dropped_total',
      help: 'OTLP metric data points the collector refused: reason="invalid", "queue_full", "store_error" (as for spans).',
      labelNames: ['reason'],
      registers,
    })
    this.taskLatency = new client.Histogram({
      name: 'goblin_task_latency_seconds',
      help: 'Duration of spans that carry a task.id attribute.',
      labelNames: ['goblin'],
      buckets: TASK_LATENCY_BUCKETS,
      registers,
    })
    this.cost = new client.Counter({
      name: 'goblin_cost_usd_total',
      help: 'LLM cost in USD attributed to stored spans.',
      labelNames: ['goblin', 'model', 'provider'],
      registers,
    })
    this.policyDecisions = new client.Counter({
      name: 'goblin_policy_decisions_total',
      help: 'Policy decisions (allow, deny, ask) recorded on stored spans as goblin.policy.decision events: by guard() on the active span, by goblin policy hook on its command span. Untraced or unsampled decisions are in the audit log only.',
      labelNames: ['decision', 'goblin', 'action'],
      registers,
    })
    this.auditAppendedTotal = new client.Counter({
      name: 'goblin_audit_appended_total',
      help: 'goblin.audit envelopes the collector verified and appended to the audit ledger.',
      registers,
    })
    this.auditRejectedTotal = new client.Counter({
      name: 'goblin_audit_rejected_total',
      help: 'goblin.audit envelopes the collector refused: reason="malformed", "unknown_key", "bad_signature", "key_window", "conflict" (another envelope at the same source kid and seq).',
      labelNames: ['reason'],
      registers,
    })
    const self = this
    new client.Gauge({
      name: 'goblin_ingest_queue_depth',
      help: 'Spans, log records and metric points waiting to be written to the store.',
      registers,
      collect() {
        this.set(self.queueDepth())
      },
    })
    new client.Gauge({
      name: 'goblin_ingest_queue_capacity',
      help: 'The most records the ingest queue holds before it answers 429.',
      registers,
      collect() {
        this.set(self.queueCapacity())
      },
    })
    for (const reason of ['invalid', 'queue_full', 'store_error']) {
      this.spansDropped.inc({ reason }, 0)
      this.metricPointsDropped.inc({ reason }, 0)
    }
  }

  /** Adds to `goblin_cost_usd_total{goblin,model,provider}` (the cost index calls this once per label set and batch). */
  addCost(labels: CostLabels, usd: number): void {
    if (Number.isFinite(usd) && usd > 0) this.cost.inc({ ...labels }, usd)
  }

  /** Counts stored spans and observes task latency for those that carry `task.id`. */
  spansStored(spans: SpanRecord[]): void {
    this.spansReceived.inc(spans.length)
    for (const span of spans) {
      for (const event of span.events ?? [])
        if (event.name === DECISION_EVENT) this.countDecision(event.attributes)
      if (span.attributes['task.id'] === undefined) continue
      const goblin = span.attributes['goblin.id'] ?? span.resource['goblin.id']
      const seconds = Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e9
      this.taskLatency.observe({ goblin: typeof goblin === 'string' ? goblin : '' }, Math.max(0, seconds))
    }
  }

  /** Adds one decision event to `goblin_policy_decisions_total{decision,goblin,action}`. */
  private countDecision(attributes: Record<string, unknown>): void {
    const label = (key: string) => {
      const value = attributes[key]
      return typeof value === 'string' ? value.slice(0, 128) : ''
    }
    const decision = label('decision')
    this.policyDecisions.inc({
      // Senders write these: only the three decisions become label values.
      decision: ['allow', 'deny', 'ask'].includes(decision) ? decision : 'other',
      goblin: label('goblin'),
      action: label('action'),
    })
  }

  /** Counts envelopes the audit aggregator appended. */
  auditAppended(count: number): void {
    this.auditAppendedTotal.inc(count)
  }

  /** Counts an envelope the audit aggregator refused. */
  auditRejected(reason: RejectReason): void {
    this.auditRejectedTotal.inc({ reason })
  }

  logsStored(count: number): void {
    this.logsReceived.inc(count)
  }

  spansDroppedFor(reason: 'invalid' | 'queue_full' | 'store_error', count: number): void {
    if (count > 0) this.spansDropped.inc({ reason }, count)
  }

  metricPointsStored(count: number): void {
    this.metricPointsReceived.inc(count)
  }

  metricPointsDroppedFor(reason: 'invalid' | 'queue_full' | 'store_error', count: number): void {
    if (count > 0) this.metricPointsDropped.inc({ reason }, count)
  }

  /** Wires the queue gauges to the live queue. */
  watchQueue(depth: () => number, capacity: () => number): void {
    this.queueDepth = depth
    this.queueCapacity = capacity
  }

  /** The Prometheus text exposition and its content type. */
  async expose(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType }
  }
}

/** The process's collector metrics: `goblin collector serve` serves these, ingest indexes add to them. */
export const metrics = new CollectorMetrics()
