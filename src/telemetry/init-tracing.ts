import { type Context, context, type Tracer, trace } from '@opentelemetry/api'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { NodeSDK } from '@opentelemetry/sdk-node'
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { redactSecrets } from '../core/redact.js'
import { contextFromEnv, w3cPropagator } from './env-carrier.js'
import { EnvContextManager } from './env-context-manager.js'
import { ExitBoundedExporter } from './exit-bounded-exporter.js'
import { GoblinAttributesProcessor } from './goblin-attributes-processor.js'
import { createTraceExporter, envFlag, exportTarget, samplerFor, tracesUrl } from './tracing-config.js'

export interface InitTracingOptions {
  /** `service.name` of every span. */
  serviceName: string
  /** The goblin (agent) this service is: `goblin.id` on the resource and on every span. */
  goblinId?: string
  /** OTLP/HTTP base URL (e.g. http://127.0.0.1:4318); default from OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT. */
  endpoint?: string
  /** Share of new traces sampled (ParentBased(TraceIdRatio)); default 0.2. OTEL_TRACES_SAMPLER overrides. */
  sampleRatio?: number
  /** Flush on SIGTERM and before exit (default true). */
  handleExit?: boolean
  /** How long the export at exit (or at shutdown) may take before the process goes on; default 2 s. */
  exitTimeoutMs?: number
  /** The environment to read (default process.env). */
  env?: NodeJS.ProcessEnv
}

/** A running tracing setup. */
export interface Tracing {
  /** False when OTEL_SDK_DISABLED=true: spans are then no-ops. */
  enabled: boolean
  tracer: Tracer
  /** The context inherited from TRACEPARENT/BAGGAGE (the root context when there was none). */
  inheritedContext: Context
  /** Exports every finished span now. */
  forceFlush(): Promise<void>
  /** Exports what is left and stops; later spans are dropped. Safe to call twice. */
  shutdown(): Promise<void>
}

/** The default bound on the last export of a service as it exits. */
export const EXIT_EXPORT_TIMEOUT_MS = 2_000

/**
 * Starts OpenTelemetry tracing for a service (built on @opentelemetry/sdk-node): OTLP/HTTP export,
 * ParentBased(TraceIdRatio) sampling, W3C tracecontext + baggage, parent context from TRACEPARENT/BAGGAGE,
 * `goblin.id`/`task.id` baggage copied onto spans, and a flush on SIGTERM and before exit that waits at most
 * `exitTimeoutMs`. Spans that cannot be exported are reported once, as a process warning (GoblinTelemetryWarning).
 * Metrics and logs stay off unless OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER ask for them.
 */
export function initTracing(options: InitTracingOptions): Tracing {
  const env = options.env ?? process.env
  const inheritedContext = contextFromEnv(env)
  if (envFlag(env.OTEL_SDK_DISABLED)) {
    return {
      enabled: false,
      tracer: trace.getTracer(options.serviceName),
      inheritedContext,
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    }
  }
  const url = tracesUrl(options.endpoint)
  const exitTimeoutMs = options.exitTimeoutMs ?? EXIT_EXPORT_TIMEOUT_MS
  let warned = false
  const exporter = new ExitBoundedExporter(
    createTraceExporter(url, env),
    createTraceExporter(url, env, { timeoutMs: exitTimeoutMs }),
    (error) => {
      if (warned) return
      warned = true
      // Once per process: a collector that is down fails every batch, and one line says all there is.
      process.emitWarning(
        `spans could not be exported to ${redactSecrets(exportTarget(url, env))} (${error?.message ?? 'export failed'}); further export failures are not reported`,
        { type: 'GoblinTelemetryWarning', code: 'GOBLIN_OTLP_EXPORT_FAILED' },
      )
    },
  )
  const batch = new BatchSpanProcessor(exporter)
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    ...(options.goblinId ? { resource: resourceFromAttributes({ 'goblin.id': options.goblinId }) } : {}),
    sampler: samplerFor(options.sampleRatio, env),
    spanProcessors: [new GoblinAttributesProcessor(options.goblinId), batch],
    contextManager: new EnvContextManager(inheritedContext),
    textMapPropagator: w3cPropagator,
    ...(env.OTEL_METRICS_EXPORTER ? {} : { metricReaders: [] }),
    ...(env.OTEL_LOGS_EXPORTER ? {} : { logRecordProcessors: [] }),
  })
  sdk.start()

  let stopped: Promise<void> | undefined
  const shutdown = () => {
    exporter.exit()
    stopped ??= sdk.shutdown().catch(() => undefined)
    return stopped
  }
  // An export already in flight when SIGTERM comes keeps its own (longer) timeout: do not wait for it.
  const boundedShutdown = () =>
    Promise.race([shutdown(), new Promise<void>((resolve) => setTimeout(resolve, exitTimeoutMs).unref())])
  if (options.handleExit !== false) {
    const onSignal = (signal: NodeJS.Signals) => {
      // Flush, then let the signal do what it would have done had we not listened (unless others listen).
      void boundedShutdown().finally(() => {
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
      })
    }
    process.once('SIGTERM', onSignal)
    process.once('beforeExit', () => void shutdown())
  }
  return {
    enabled: true,
    tracer: trace.getTracer(options.serviceName),
    inheritedContext,
    forceFlush: () => batch.forceFlush(),
    shutdown,
  }
}

/** Runs `fn` with `ctx` active (re-exported for services that manage context by hand). */
export function withContext<T>(ctx: Context, fn: () => T): T {
  return context.with(ctx, fn)
}
