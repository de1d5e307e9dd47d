// The tracing a user of an LLM library sets up: the OpenTelemetry SDK with its OTLP/HTTP JSON exporter,
// configured by the standard environment variables (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES). Senders call `startTracing()` before they load the library they trace.
import { context, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { detectResources, envDetector } from '@opentelemetry/resources'
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base'

/** Registers a global tracer provider exporting to the collector; returns it with an exporter to reuse. */
export function startTracing() {
  const exporter = new OTLPTraceExporter()
  const provider = new BasicTracerProvider({
    resource: detectResources({ detectors: [envDetector] }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  })
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  trace.setGlobalTracerProvider(provider)
  return provider
}

/** The fake model server's base URL, from the test. */
export function fakeModelUrl() {
  const url = process.env.FAKE_MODEL_URL
  if (!url) throw new Error('FAKE_MODEL_URL is not set: run senders from test/integration/llm')
  return url
}

/** Runs the named case of `cases`, prints what the library returned as one JSON line, flushes the spans. */
export async function runCase(cases, shutdown) {
  const name = process.argv[2]
  const run = cases[name]
  if (!run) throw new Error(`unknown case ${name}; known: ${Object.keys(cases).join(', ')}`)
  const result = await run()
  await shutdown()
  process.stdout.write(`${JSON.stringify(result ?? null)}\n`)
}
