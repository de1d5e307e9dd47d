import type { Span } from '@opentelemetry/api'
import type { CliTracer } from './cli-tracer.js'

/** Commands that trace themselves (trace exec) or run until stopped (serve, tail, checkpoint --every): no command span. */
const UNTRACED = new Set(['trace:exec', 'trace:tail', 'collector:serve'])

let current: { tracing: CliTracer; span: Span } | undefined

/**
 * True when goblin should trace its own commands: an OTLP endpoint is configured, the SDK is not disabled,
 * and there is a trace to join (TRACEPARENT) or a sampler the user chose (OTEL_TRACES_SAMPLER). A bare
 * `goblin ...` starts no trace of its own: a CLI run is worth a trace as part of a larger one (a script under
 * `goblin trace exec`, a traced CI job), and tools that only point the endpoint at a collector get no
 * surprise exports.
 */
export function selfTracingWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()
  if (!endpoint || env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false
  return Boolean(env.TRACEPARENT?.trim() || env.OTEL_TRACES_SAMPLER?.trim())
}

/**
 * Starts the span of one goblin command (`goblin <id>`), a child of TRACEPARENT when set. Uses the same
 * exporter, ParentBased(TraceIdRatio 0.2) sampler and W3C propagation as initTracing, on the light provider
 * (sdk-node would add about a second to every traced command).
 */
export async function startCommandSpan(
  commandId: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  if (!selfTracingWanted(env) || UNTRACED.has(commandId) || current) return
  const { startCliTracer } = await import('./cli-tracer.js')
  const { SpanKind } = await import('@opentelemetry/api')
  let tracing: CliTracer
  try {
    tracing = startCliTracer({ serviceName: env.OTEL_SERVICE_NAME?.trim() || 'goblin', env })
  } catch {
    // A malformed endpoint must not break the command; `goblin doctor` reports it.
    return
  }
  const name = `goblin ${commandId.replaceAll(':', ' ')}`
  const span = tracing.tracer.startSpan(
    name,
    { kind: SpanKind.INTERNAL, attributes: { 'goblin.command': commandId } },
    tracing.inheritedContext,
  )
  current = { tracing, span }
}

/** The running command's span, when goblin traces itself (a command may record on it). */
export function commandSpan(): Span | undefined {
  return current?.span
}

/**
 * One span of goblin's own, a child of TRACEPARENT, exported to `endpoint` before it resolves: for a command
 * whose parent strips OTEL_* from its environment (Claude Code runs its hooks so), told the endpoint by flag.
 * An export failure is ignored, as for command spans.
 */
export async function exportOneSpan(
  name: string,
  endpoint: string,
  env: NodeJS.ProcessEnv,
  record: (span: Span) => void,
): Promise<void> {
  const { startCliTracer } = await import('./cli-tracer.js')
  const tracing = startCliTracer({ serviceName: 'goblin', endpoint, env, exportTimeoutMs: 2_000 })
  const span = tracing.tracer.startSpan(name, {}, tracing.inheritedContext)
  record(span)
  span.end()
  await tracing.exportAll().catch(() => undefined)
}

/** Ends the command span with the command's exit code and exports it; an export failure is ignored. */
export async function endCommandSpan(exitCode: number, error?: Error): Promise<void> {
  if (!current) return
  const { span, tracing } = current
  current = undefined
  span.setAttribute('process.exit.code', exitCode)
  if (exitCode !== 0) span.setStatus({ code: 2, message: error?.message ?? `exit code ${exitCode}` })
  span.end()
  await tracing.exportAll().catch(() => undefined)
}
