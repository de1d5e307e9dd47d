/** An attribute value as OTLP carries it, flattened to JSON (arrays stay arrays, kvlists become objects). */
export type AttributeValue =
  | string
  | number
  | boolean
  | null
  | AttributeValue[]
  | { [key: string]: AttributeValue }

/**
 * One span as goblin stores and queries it, independent of the wire encoding it arrived in.
 * The contract between the collector's store, the trace backends and cost attribution.
 */
export interface SpanRecord {
  /** 32 lowercase hex. */
  traceId: string
  /** 16 lowercase hex. */
  spanId: string
  /** 16 lowercase hex, or null for a root span. */
  parentSpanId: string | null
  name: string
  /** OTLP SpanKind number (0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer). */
  kind: number
  /** Start and end as Unix epoch nanoseconds, kept as decimal strings: they exceed 2^53. */
  startTimeUnixNano: string
  endTimeUnixNano: string
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number
  statusMessage?: string
  /** `service.name` of the span's resource. */
  serviceName: string
  /** Span attributes, keys as sent (e.g. `gen_ai.request.model`). */
  attributes: Record<string, AttributeValue>
  /** Resource attributes. */
  resource: Record<string, AttributeValue>
  scopeName?: string
  events?: Array<{ name: string; timeUnixNano: string; attributes: Record<string, AttributeValue> }>
  /** Spans this one links to (OTLP Span.links): another trace's span, a batch's messages, ... */
  links?: Array<{
    traceId: string
    spanId: string
    traceState?: string
    attributes: Record<string, AttributeValue>
  }>
}
