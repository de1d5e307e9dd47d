import type { SpanRecord } from '../collector/span-record.js'
import type { TraceListRow } from '../trace/trace-client.js'
import type { TraceList } from '../trace/trace-queries.js'
import { STORE_FILE_SOURCE } from '../trace/trace-source.js'
import { formatDuration, formatStart, formatUsd } from './format.js'
import { paint } from './style.js'
import { renderTable } from './table.js'

/** The `goblin trace list` table, with the backend named below it. */
export function renderTraceList(list: TraceList, facts: { color: boolean; columns: number }): string {
  if (list.traces.length === 0) return `no traces found at ${list.backend.endpoint} (${list.backend.kind})`
  const table = renderTable(
    list.traces,
    [
      { header: 'TRACE ID', value: (t) => t.traceID },
      { header: 'ROOT SPAN', value: (t) => t.rootTraceName, shrink: true },
      { header: 'SERVICE', value: (t) => t.rootServiceName, shrink: true },
      { header: 'START', value: (t) => formatStart(t.startTimeUnixNano) },
      { header: 'DURATION', value: (t) => formatDuration(t.durationMs), align: 'right' },
      { header: 'SPANS', value: (t) => (t.spanCount === null ? '-' : String(t.spanCount)), align: 'right' },
      {
        header: 'ERRORS',
        value: (t) => (t.errorCount === null ? '-' : String(t.errorCount)),
        align: 'right',
        tone: (t) => (t.errorCount ? 'red' : undefined),
      },
      { header: 'COST', value: traceCost, align: 'right' },
    ],
    facts,
  )
  const from =
    list.backend.source === STORE_FILE_SOURCE
      ? `the store file ${list.backend.endpoint} (the collector is not running)`
      : `${list.backend.endpoint} (${list.backend.kind})`
  return `${table}\n${list.traces.length} trace${list.traces.length === 1 ? '' : 's'} from ${from}`
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

/** Widths of `goblin trace tail`'s columns: time, trace/span ids, then service and name padded to these. */
const TAIL_SERVICE_WIDTH = 16
const TAIL_NAME_WIDTH = 32

/**
 * One `goblin trace tail` line: time, trace/span id, service, name, duration, status. Columns are padded to
 * fixed widths so a stream of lines stays aligned; a longer service or name pushes its line on, never cut.
 */
export function formatSpanLine(span: SpanRecord, facts: { color: boolean }): string {
  const ms = Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6
  const status = span.statusCode === 2 ? paint('ERROR', 'red', facts.color) : ''
  return [
    formatStart(span.startTimeUnixNano).slice(11),
    `${span.traceId}/${span.spanId}`,
    span.serviceName.padEnd(TAIL_SERVICE_WIDTH),
    span.name.padEnd(TAIL_NAME_WIDTH),
    formatDuration(ms).padStart(8),
    status,
  ]
    .join('  ')
    .trimEnd()
}
