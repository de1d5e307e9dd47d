import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import { basename } from 'node:path'
import { type Attributes, context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { usageError } from '../core/errors.js'
import { goblinHome } from '../core/paths.js'
import type { ExportOutcome } from '../telemetry/cli-tracer.js'
import { envFromContext, withGoblinBaggage } from '../telemetry/env-carrier.js'
import { LABEL_PATTERN, mergeResourceAttributes } from '../telemetry/resource-env.js'
import { collectorUrl } from './endpoints.js'

export interface ExecOptions {
  command: string
  args: string[]
  /** Span name; default `exec <command>`. */
  name?: string
  /** Extra span attributes (`--attr k=v`); `goblin.id` and `task.id` also go into the baggage. */
  attributes: Record<string, string>
  env: NodeJS.ProcessEnv
  serviceName: string
  /**
   * OTLP/HTTP base URL goblin resolved (the running collector, else the configured one); undefined when the
   * user set OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, which then goes to the exporter and to the command as set.
   */
  endpoint?: string
  /** Send the command's stdout to goblin's stderr, for callers whose stdout holds a JSON document. */
  stdoutToStderr?: boolean
}

export interface ExecResult {
  exitCode: number
  traceId: string
  spanId: string
  sampled: boolean
  export: ExportOutcome
  /** Set when the command could not be started (e.g. not found). */
  startError?: string
}

/**
 * `goblin trace exec`: runs the command inside a span (a child of TRACEPARENT when set), with
 * TRACEPARENT, TRACESTATE, BAGGAGE and the OTLP endpoint in its environment and stdio passed through; records its exit
 * code (error status when non-zero) and exports the span before returning the command's exit code.
 */
export async function execTraced(options: ExecOptions): Promise<ExecResult> {
  const { startCliTracer } = await import('../telemetry/cli-tracer.js')
  const tracing = startCliTracer({
    serviceName: options.serviceName,
    endpoint: options.endpoint,
    env: options.env,
    // The user asked for this trace: a root exec is always sampled (OTEL_TRACES_SAMPLER still overrides).
    sampleRatio: 1,
  })
  let parent = withGoblinBaggage(tracing.inheritedContext, {
    goblinId: options.attributes['goblin.id'],
    taskId: options.attributes['task.id'],
  })
  if (!propagation.getBaggage(parent)?.getAllEntries().length) parent = propagation.deleteBaggage(parent)
  const attributes: Attributes = {
    'process.executable.name': basename(options.command),
    'process.command': options.command,
    'process.command_args': [options.command, ...options.args],
    ...options.attributes,
  }
  const span = tracing.tracer.startSpan(
    options.name ?? `exec ${basename(options.command)}`,
    { kind: SpanKind.INTERNAL, attributes },
    parent,
  )
  const ctx = trace.setSpan(parent, span)
  const childEnv: NodeJS.ProcessEnv = { ...options.env }
  delete childEnv.TRACEPARENT
  delete childEnv.TRACESTATE
  delete childEnv.BAGGAGE
  Object.assign(childEnv, envFromContext(ctx))
  // Any OpenTelemetry SDK in the command tags its spans with the goblin and task, whether or not it reads
  // TRACEPARENT; an id that could not travel in the variable unencoded still goes in the baggage.
  const resource = mergeResourceAttributes(childEnv.OTEL_RESOURCE_ATTRIBUTES, {
    'goblin.id': travellingLabel(options.attributes['goblin.id']),
    'task.id': travellingLabel(options.attributes['task.id']),
  })
  if (resource) childEnv.OTEL_RESOURCE_ATTRIBUTES = resource
  // The command's own SDK must export where goblin's span went: left alone it would pick localhost:4318,
  // losing its spans when the collector listens elsewhere (and handing them to whatever holds 4318).
  if (options.endpoint) childEnv.OTEL_EXPORTER_OTLP_ENDPOINT = options.endpoint

  let exitCode: number
  let startError: string | undefined
  // node:child_process, not execa: a plain spawn with stdio passed through is all this needs, and execa's
  // 100-odd modules were a third of `trace exec -- true`'s start-up.
  const child = context.with(ctx, () =>
    spawn(options.command, options.args, {
      stdio: ['inherit', options.stdoutToStderr ? 2 : 'inherit', 'inherit'],
      env: childEnv,
    }),
  )
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>(
    (resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }))
      child.once('exit', (code, signal) => resolve({ code, signal }))
    },
  )
  // SIGTERM/SIGINT aimed at goblin go on to the command; goblin then records how it ended.
  const forward = (signal: NodeJS.Signals) => child.kill(signal)
  process.on('SIGTERM', forward)
  process.on('SIGINT', forward)
  try {
    const result = await ended
    if (result.error) {
      // Not started: 127 when there is no such command (as a shell answers), 126 when it cannot run.
      exitCode = (result.error as NodeJS.ErrnoException).code === 'ENOENT' ? 127 : 126
      startError = `${options.command}: ${result.error.message}`
    } else if (result.code !== null) exitCode = result.code
    else exitCode = 128 + (constants.signals[result.signal as keyof typeof constants.signals] ?? 1)
    if (result.signal) span.setAttribute('process.exit.signal', result.signal)
  } finally {
    process.off('SIGTERM', forward)
    process.off('SIGINT', forward)
  }
  span.setAttribute('process.exit.code', exitCode)
  if (exitCode !== 0) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: startError ?? `exit code ${exitCode}` })
  }
  span.end()
  const sc = span.spanContext()
  const outcome = await tracing.exportAll()
  return {
    exitCode,
    traceId: sc.traceId,
    spanId: sc.spanId,
    sampled: (sc.traceFlags & 1) === 1,
    export: outcome,
    ...(startError ? { startError } : {}),
  }
}

/** `trace exec`'s parsed command line: the command after `--` and the flags before it. */
export interface ExecRequest {
  command?: string
  args: string[]
  name?: string
  attr?: string[]
}

/** What `trace exec --json` prints. */
export interface ExecSummary {
  exitCode: number
  traceId: string
  spanId: string
  sampled: boolean
  exported: boolean
}

/**
 * The options `trace exec` runs with, or the usage/config error it stops at before anything runs. The
 * project config is read only when no OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT decides where spans go.
 */
export async function prepareExec(request: ExecRequest, env: NodeJS.ProcessEnv): Promise<ExecOptions> {
  if (!request.command) {
    throw usageError(
      'NO_COMMAND',
      'no command to run',
      'Write the command after --, e.g. goblin trace exec -- make test.',
    )
  }
  const attributes = parseAttrFlags(request.attr)
  const configured = Boolean(
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim(),
  )
  let endpoint: string | undefined
  if (!configured) {
    // zod and the config schema load only here: with the endpoint set, `trace exec` never reads the config.
    const { loadProjectConfig } = await import('../core/config.js')
    endpoint = collectorUrl(goblinHome(env), loadProjectConfig(process.cwd(), env).config)
  }
  return {
    command: request.command,
    args: request.args,
    name: request.name,
    attributes,
    env,
    serviceName: env.OTEL_SERVICE_NAME?.trim() || 'goblin',
    endpoint,
  }
}

/** Runs the prepared command traced; says on stderr (`note`) what failed; sets process.exitCode to the command's. */
export async function runExec(options: ExecOptions, note: (text: string) => void): Promise<ExecSummary> {
  const result = await execTraced(options)
  if (result.startError) note(`goblin trace exec: ${result.startError}`)
  if (!result.export.ok) {
    note(`goblin trace exec: span ${result.traceId}/${result.spanId} not exported: ${result.export.error}`)
  }
  process.exitCode = result.exitCode
  return {
    exitCode: result.exitCode,
    traceId: result.traceId,
    spanId: result.spanId,
    sampled: result.sampled,
    exported: result.export.ok && result.export.spans > 0,
  }
}

/** An id as OTEL_RESOURCE_ATTRIBUTES can carry it unencoded, else undefined. */
function travellingLabel(value: string | undefined): string | undefined {
  return value !== undefined && LABEL_PATTERN.test(value) ? value : undefined
}

/** Parses repeated `--attr k=v` flags; a missing `=` or empty key is a usage error. */
export function parseAttrFlags(values: string[] = []): Record<string, string> {
  const out: Record<string, string> = {}
  for (const value of values) {
    const eq = value.indexOf('=')
    if (eq <= 0)
      throw usageError('BAD_ATTR', `--attr "${value}" is not key=value`, 'Write --attr task.id=build-42.')
    out[value.slice(0, eq)] = value.slice(eq + 1)
  }
  return out
}
