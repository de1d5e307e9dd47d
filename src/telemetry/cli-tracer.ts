import type { Context, Tracer } from '@opentelemetry/api'
import { ExportResultCode } from '@opentelemetry/core'
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources'
import {
  BasicTracerProvider,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { contextFromEnv } from './env-carrier.js'
import { GoblinAttributesProcessor } from './goblin-attributes-processor.js'
import { createTraceExporter, samplerFor, tracesUrl } from './tracing-config.js'

export interface CliTracerOptions {
  serviceName: string
  /** OTLP/HTTP base URL; undefined lets OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT decide. */
  endpoint?: string
  /** Root sampling ratio (default 0.2, as initTracing); `trace exec` passes 1: the user asked for that trace. */
  sampleRatio?: number
  env: NodeJS.ProcessEnv
  /** Milliseconds the final export may take. */
  exportTimeoutMs?: number
}

export interface ExportOutcome {
  spans: number
  ok: boolean
  error?: string
}

/** goblin's own short-lived tracer: spans are held until `exportAll`, whose outcome the caller reports. */
export interface CliTracer {
  tracer: Tracer
  inheritedContext: Context
  /** Exports every ended span once and shuts the exporter down. */
  exportAll(): Promise<ExportOutcome>
}

/**
 * A tracer for goblin's own commands (`trace exec`): the same exporter, sampler and propagation as
 * initTracing, on the light BasicTracerProvider (sdk-node alone takes about a second to load, paid on
 * every nested `trace exec`). The export outcome is returned rather than logged, so the command can say it.
 */
export function startCliTracer(options: CliTracerOptions): CliTracer {
  const ended: ReadableSpan[] = []
  const collect: SpanProcessor = {
    onStart: (_span: Span) => {},
    onEnd: (span) => {
      ended.push(span)
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  }
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': options.serviceName }))
    .merge(detectResources({ detectors: [envDetector] }))
  const provider = new BasicTracerProvider({
    resource,
    sampler: samplerFor(options.sampleRatio, options.env),
    spanProcessors: [new GoblinAttributesProcessor(), collect],
  })
  // A CLI run must not hang on a dead collector: give up (and say so) after 3 s unless the env sets a timeout.
  const exporter = createTraceExporter(tracesUrl(options.endpoint), options.env, { defaultTimeoutMs: 3_000 })
  return {
    tracer: provider.getTracer('goblin'),
    inheritedContext: contextFromEnv(options.env),
    async exportAll() {
      const spans = ended.splice(0)
      if (spans.length === 0) return { spans: 0, ok: true }
      const timeout = options.exportTimeoutMs ?? 10_000
      const outcome = await new Promise<ExportOutcome>((resolve) => {
        const timer = setTimeout(
          () => resolve({ spans: spans.length, ok: false, error: `timed out after ${timeout} ms` }),
          timeout,
        )
        exporter.export(spans, (result) => {
          clearTimeout(timer)
          resolve(
            result.code === ExportResultCode.SUCCESS
              ? { spans: spans.length, ok: true }
              : { spans: spans.length, ok: false, error: result.error?.message ?? 'export failed' },
          )
        })
      })
      await exporter.shutdown().catch(() => undefined)
      await provider.shutdown().catch(() => undefined)
      return outcome
    },
  }
}
