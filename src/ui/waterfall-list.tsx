import type { SpanRecord } from '../collector/span-record.js'
import type { TraceListRow } from '../trace/trace-client.js'
import type { TraceList } from '../trace/trace-queries.js'
import { renderTable } from './table.js'
import { formatDuration, formatStart, formatUsd, truncateText } from './waterfall-format.js'

/** The `goblin trace list` table (the shared table component), with the backend named below it. */
export function renderTraceList(list: TraceList, facts: { color: boolean; columns: number }): string {
  if (list.traces.length === 0) return `no traces found at ${list.backend.endpoint} (${list.backend.kind})`
  const table = renderTable(
    list.traces,
    [
      { header: 'TRACE ID', value: (t) => t.traceID },
      { header: 'ROOT SPAN', value: (t) => truncateText(t.rootTraceName, 32) },
      { header: 'SERVICE', value: (t) => truncateText(t.rootServiceName, 20) },
      { header: 'START', value: (t) => formatStart(t.startTimeUnixNano) },
      { header: 'DURATION', value: (t) => formatDuration(t.durationMs), align: 'right' },
      { header: 'SPANS', value: (t) => (t.spanCount === null ? '-' : String(t.spanCount)), align: 'right' },
      {
        header: 'ERRORS',
        value: (t) => (t.errorCount === null ? '-' : String(t.errorCount)),
        align: 'right',
        color: (t) => (t.errorCount ? 'red' : undefined),
      },
      { header: 'COST', value: traceCost, align: 'right' },
    ],
    { color: facts.color, columns: Math.max(facts.columns, 160) },
  )
  return `${table}\n${list.traces.length} trace${list.traces.length === 1 ? '' : 's'} from ${list.backend.endpoint} (${list.backend.kind})`
}

/**
 * A trace's LLM cost: `-` for a trace without LLM calls, the USD otherwise, and how many calls are not in it
 * (unmetered, or of a model without a price), so an unpriced call never reads as $0.
 */
function traceCost(t: TraceListRow): string {
  if (t.llmCalls === 0 && !t.costUsd) return '-'
  const usd = formatUsd(t.costUsd)
  return t.unpricedCalls ? `${usd} +${t.unpricedCalls} unpriced` : usd
}

/** One `goblin trace tail` line: time, trace/span id, service, name, duration, status. */
export function formatSpanLine(span: SpanRecord, facts: { color: boolean }): string {
  const ms = Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6
  const error = span.statusCode === 2
  const status = error ? (facts.color ? '\u001B[31mERROR\u001B[39m' : 'ERROR') : ''
  return [
    formatStart(span.startTimeUnixNano).slice(11),
    `${span.traceId}/${span.spanId}`,
    span.serviceName,
    span.name,
    formatDuration(ms),
    status,
  ]
    .filter(Boolean)
    .join('  ')
}
