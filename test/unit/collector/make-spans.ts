import type { SpanRecord } from '../../../src/collector/span-record.js'

/** A SpanRecord with sensible defaults for tests; times in ms after `base` become nanosecond strings. */
export function makeSpan(
  fields: Partial<SpanRecord> & { traceId: string; spanId: string; startMs?: number; durationMs?: number },
): SpanRecord {
  const base = 1_700_000_000_000n
  const startNs = (base + BigInt(fields.startMs ?? 0)) * 1_000_000n
  const endNs = startNs + BigInt(Math.round((fields.durationMs ?? 10) * 1e6))
  const { startMs: _s, durationMs: _d, ...rest } = fields
  return {
    parentSpanId: null,
    name: 'span',
    kind: 1,
    startTimeUnixNano: startNs.toString(),
    endTimeUnixNano: endNs.toString(),
    statusCode: 0,
    serviceName: 'svc',
    attributes: {},
    resource: { 'service.name': fields.serviceName ?? 'svc' },
    ...rest,
  }
}

/** A 32-hex trace id / 16-hex span id from a number. */
export const traceIdOf = (n: number) => n.toString(16).padStart(32, '0')
export const spanIdOf = (n: number) => n.toString(16).padStart(16, '0')
