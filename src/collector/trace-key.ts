/**
 * The last 48 bits of a trace id as an integer: spans are indexed by it (queries add `trace_id = ?`), since
 * an index of small integers stays in cache where one of 32-character strings spills at a million spans.
 * The last bytes, because W3C trace context puts the randomness there (X-Ray ids start with a timestamp).
 */
export function traceKey(traceId: string): number {
  return Number.parseInt(traceId.slice(-12), 16)
}
