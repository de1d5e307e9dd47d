import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import {
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base'

/** The default share of new (root) traces sampled; children follow their parent's decision. */
export const DEFAULT_SAMPLE_RATIO = 0.2

/** True for the OTel boolean env values that mean "on". */
export function envFlag(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'true'
}

/**
 * The OTLP/HTTP traces URL for an explicit endpoint (a base URL gets `/v1/traces`), or undefined to let
 * the exporter read OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT itself.
 */
export function tracesUrl(endpoint: string | undefined): string | undefined {
  if (!endpoint) return undefined
  const trimmed = endpoint.replace(/\/+$/, '')
  return trimmed.endsWith('/v1/traces') ? trimmed : `${trimmed}/v1/traces`
}

/** Where the exporter sends spans, as its own configuration resolves it (for messages). */
export function exportTarget(url: string | undefined, env: NodeJS.ProcessEnv): string {
  if (url) return url
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim()
  if (traces) return traces
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : 'http://localhost:4318/v1/traces'
}

/**
 * ParentBased(TraceIdRatio(ratio)), or undefined when OTEL_TRACES_SAMPLER is set: the SDK then builds
 * the sampler the environment names, as the OpenTelemetry spec asks.
 */
export function samplerFor(ratio: number | undefined, env: NodeJS.ProcessEnv): Sampler | undefined {
  if (env.OTEL_TRACES_SAMPLER?.trim()) return undefined
  const r = ratio ?? DEFAULT_SAMPLE_RATIO
  return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(Math.min(1, Math.max(0, r))) })
}

/**
 * The OTLP/HTTP span exporter: protobuf, or JSON when OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL is
 * `http/json`. Headers, timeout and compression come from the standard OTEL_* variables;
 * `defaultTimeoutMs` replaces the exporter's 10 s default when OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT is unset,
 * and `timeoutMs` overrides even that (the bound on a process's last export as it exits).
 */
export function createTraceExporter(
  url: string | undefined,
  env: NodeJS.ProcessEnv,
  timeouts: { defaultTimeoutMs?: number; timeoutMs?: number } = {},
): SpanExporter {
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? '').trim()
  const timeoutSet = Boolean(env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT || env.OTEL_EXPORTER_OTLP_TIMEOUT)
  const timeoutMillis = timeouts.timeoutMs ?? (timeoutSet ? undefined : timeouts.defaultTimeoutMs)
  const config = {
    ...(url ? { url } : {}),
    ...(timeoutMillis ? { timeoutMillis } : {}),
  }
  return protocol === 'http/json' ? new OtlpJsonExporter(config) : new OtlpProtoExporter(config)
}
