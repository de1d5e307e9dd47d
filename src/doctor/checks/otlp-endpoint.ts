import { errorCause, httpPostText } from '../../core/http-get.js'
import type { Check } from '../check.js'

/** The traces URL an OTLP/HTTP exporter would use, per the OpenTelemetry exporter spec. */
export function otlpTracesUrl(env: NodeJS.ProcessEnv): string | null {
  const signal = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim()
  if (signal) return signal
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()
  if (!base) return null
  return `${base.replace(/\/+$/, '')}/v1/traces`
}

export const otlpEndpointCheck: Check = {
  id: 'otlp',
  title: 'OTLP endpoint',
  async run({ env }) {
    const url = otlpTracesUrl(env)
    if (!url) return { status: 'skip', detail: 'OTEL_EXPORTER_OTLP_ENDPOINT not set' }
    let parsed: URL
    try {
      parsed = new URL(url)
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)')
    } catch {
      return {
        status: 'fail',
        detail: `${url} is not an http(s) URL`,
        fix: 'Set OTEL_EXPORTER_OTLP_ENDPOINT to a URL such as http://127.0.0.1:4318.',
      }
    }
    try {
      // An empty OTLP/JSON export is a valid request: any HTTP answer proves something listens.
      const res = await httpPostText(
        parsed.href,
        { 'content-type': 'application/json' },
        '{"resourceSpans":[]}',
        2_000,
      )
      return { status: 'ok', detail: `${parsed.origin} answered HTTP ${res.status}` }
    } catch (error) {
      const cause = errorCause(error)
      return {
        status: 'fail',
        detail: `${parsed.origin} unreachable (${cause})`,
        fix: 'Start a collector there (goblin stack up) or unset OTEL_EXPORTER_OTLP_ENDPOINT.',
      }
    }
  },
}
