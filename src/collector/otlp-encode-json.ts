import type { AttributeValue, SpanRecord } from './span-record.js'

/** An OTLP/JSON AnyValue. */
type JsonAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: JsonAnyValue[] } }
  | { kvlistValue: { values: JsonKeyValue[] } }
  | Record<string, never>
interface JsonKeyValue {
  key: string
  value: JsonAnyValue
}

/** OTLP/JSON `resourceSpans` (the body of an ExportTraceServiceRequest, and of Tempo's `batches`). */
export interface OtlpJsonResourceSpans {
  resource: { attributes: JsonKeyValue[] }
  scopeSpans: Array<{ scope: { name: string }; spans: unknown[] }>
}

/**
 * Groups spans by resource and scope into OTLP/JSON resourceSpans: hex ids, int64 as decimal strings,
 * per the OTLP/HTTP JSON encoding. Re-posting the result to /v1/traces stores the same spans.
 */
export function toOtlpJson(spans: SpanRecord[]): OtlpJsonResourceSpans[] {
  const byResource = new Map<string, { resource: SpanRecord['resource']; scopes: Map<string, unknown[]> }>()
  // Spans read from the store share resource objects: serialise each object once to find its group.
  const keys = new Map<SpanRecord['resource'], string>()
  for (const span of spans) {
    let key = keys.get(span.resource)
    if (key === undefined) {
      key = JSON.stringify(span.resource)
      keys.set(span.resource, key)
    }
    let group = byResource.get(key)
    if (!group) {
      group = { resource: span.resource, scopes: new Map() }
      byResource.set(key, group)
    }
    const scope = span.scopeName ?? ''
    let list = group.scopes.get(scope)
    if (!list) {
      list = []
      group.scopes.set(scope, list)
    }
    list.push(spanToJson(span))
  }
  return [...byResource.values()].map((group) => ({
    resource: { attributes: keyValues(group.resource) },
    scopeSpans: [...group.scopes.entries()].map(([name, list]) => ({ scope: { name }, spans: list })),
  }))
}

function spanToJson(span: SpanRecord): Record<string, unknown> {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: span.startTimeUnixNano,
    endTimeUnixNano: span.endTimeUnixNano,
    attributes: keyValues(span.attributes),
    ...(span.events?.length
      ? {
          events: span.events.map((e) => ({
            timeUnixNano: e.timeUnixNano,
            name: e.name,
            attributes: keyValues(e.attributes),
          })),
        }
      : {}),
    ...(span.links?.length
      ? {
          links: span.links.map((l) => ({
            traceId: l.traceId,
            spanId: l.spanId,
            ...(l.traceState ? { traceState: l.traceState } : {}),
            attributes: keyValues(l.attributes),
          })),
        }
      : {}),
    status: {
      code: span.statusCode,
      ...(span.statusMessage ? { message: span.statusMessage } : {}),
    },
  }
}

function keyValues(attributes: Record<string, AttributeValue>): JsonKeyValue[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }))
}

function anyValue(value: AttributeValue): JsonAnyValue {
  if (value === null) return {}
  if (typeof value === 'string') return { stringValue: value }
  if (typeof value === 'boolean') return { boolValue: value }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value }
  }
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } }
  return { kvlistValue: { values: keyValues(value) } }
}
