import type { AttributeValue } from '../collector/span-record.js'
import type { SpanDetail } from '../trace/span-detail.js'
import { formatDuration, formatStart, formatUsd } from './format.js'
import { paint } from './style.js'

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer']
const STATUS = ['unset', 'ok', 'error']

/** Attributes as `key = value` lines, keys sorted, values as JSON unless they are plain strings. */
function attributeLines(attributes: Record<string, AttributeValue>, indent: string): string[] {
  const keys = Object.keys(attributes).sort()
  if (keys.length === 0) return [`${indent}(none)`]
  const width = Math.max(...keys.map((k) => k.length))
  return keys.map((k) => {
    const value = attributes[k]
    return `${indent}${k.padEnd(width)}  ${typeof value === 'string' ? value : JSON.stringify(value)}`
  })
}

/** `goblin trace show ID --span SPAN_ID`: one span's identity, timing, status, attributes, events, links, resource. */
export function renderSpanDetail(detail: SpanDetail, facts: { color: boolean }): string {
  const s = detail.span
  const ms = Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)) / 1e6
  const status = `${STATUS[s.statusCode] ?? s.statusCode}${s.statusMessage ? `: ${s.statusMessage}` : ''}`
  const lines = [
    paint(s.name, 'bold', facts.color),
    `  trace     ${s.traceId}`,
    `  span      ${s.spanId}`,
    `  parent    ${s.parentSpanId ? `${s.parentSpanId}${detail.parentName ? ` (${detail.parentName})` : ' (not in the trace)'}` : '- (root)'}`,
    `  children  ${detail.children}`,
    `  service   ${s.serviceName}${s.scopeName ? `  (scope ${s.scopeName})` : ''}`,
    `  kind      ${KINDS[s.kind] ?? s.kind}`,
    `  start     ${formatStart(s.startTimeUnixNano)}  (${s.startTimeUnixNano} ns)`,
    `  duration  ${formatDuration(ms)}`,
    `  status    ${s.statusCode === 2 ? paint(status, 'red', facts.color) : status}`,
  ]
  if (detail.llm) {
    const { model, provider, tokens, metered, aggregate, costUsd } = detail.llm
    const usage = metered
      ? `${tokens.input} in (${tokens.cacheRead} cache read), ${tokens.output} out`
      : 'unmetered'
    const cost = aggregate
      ? 'aggregate: its calls below are counted instead'
      : costUsd === null
        ? 'unpriced'
        : formatUsd(costUsd)
    lines.push(`  llm       ${model ?? '(no model)'}${provider ? ` (${provider})` : ''} · ${usage} · ${cost}`)
  }
  lines.push('attributes', ...attributeLines(s.attributes, '  '))
  lines.push(`events (${s.events?.length ?? 0})`)
  for (const e of s.events ?? []) {
    lines.push(
      `  ${formatStart(e.timeUnixNano)}  ${e.name}`,
      ...attributeLines(e.attributes, '    ').filter((l) => l.trim() !== '(none)'),
    )
  }
  lines.push(`links (${s.links?.length ?? 0})`)
  for (const l of s.links ?? []) {
    lines.push(
      `  ${l.traceId}/${l.spanId}${l.traceState ? `  tracestate ${l.traceState}` : ''}`,
      ...attributeLines(l.attributes, '    ').filter((line) => line.trim() !== '(none)'),
    )
  }
  lines.push('resource', ...attributeLines(s.resource, '  '))
  return lines.join('\n')
}
