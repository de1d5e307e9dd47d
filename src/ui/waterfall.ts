import type { Waterfall, WaterfallRow } from '../trace/waterfall.js'
import { formatDuration, formatStart, formatUsd, truncateText } from './format.js'
import { paint, type Tone } from './style.js'

const STATUS = ['', 'ok', 'ERROR']

/** One waterfall line's parts, precomputed as plain strings so 5,000 rows render fast. */
interface Line {
  label: string
  bar: string
  duration: string
  status: string
  detail: string
  color: Tone | undefined
  dim: boolean
}

function layout(w: Waterfall, columns: number): { header: string; lines: Line[] } {
  const total = w.durationMs > 0 ? w.durationMs : 1
  const labelWidth = Math.max(24, Math.min(48, Math.floor(columns * 0.38)))
  const barWidth = Math.max(10, Math.min(40, columns - labelWidth - 30))
  const header = [
    `trace ${w.traceId}`,
    `${w.spanCount} span${w.spanCount === 1 ? '' : 's'}`,
    `${w.errorCount} error${w.errorCount === 1 ? '' : 's'}`,
    formatDuration(w.durationMs),
    `started ${formatStart(w.startUnixNano)}`,
    `services: ${w.services.join(', ')}`,
    ...(w.costUsd > 0 ? [`cost ${formatUsd(w.costUsd)}`] : []),
    ...(w.logOnlyCalls > 0 ? [`${w.logOnlyCalls} LLM call(s) reported by log events only`] : []),
    ...(w.orphans > 0 ? [`${w.orphans} span(s) whose parent is missing`] : []),
  ].join('  ')
  const bar = (offset: number, duration: number, char: string) => {
    const from = Math.min(barWidth - 1, Math.floor((offset / total) * barWidth))
    const length = Math.max(1, Math.min(barWidth - from, Math.round((duration / total) * barWidth)))
    return `${' '.repeat(from)}${char.repeat(length)}${' '.repeat(barWidth - from - length)}`
  }
  const lines = w.rows.map((row) => lineFor(row, labelWidth, bar))
  return { header, lines }
}

function lineFor(
  row: WaterfallRow,
  labelWidth: number,
  bar: (offset: number, duration: number, char: string) => string,
): Line {
  if (row.type === 'collapsed') {
    const what = `${row.prefix}… ${row.count} more span${row.count === 1 ? '' : 's'} (${row.names.join(', ')}${row.names.length === 3 ? ', …' : ''})`
    return {
      label: `${truncateText(what, labelWidth).padEnd(labelWidth)} `,
      bar: bar(row.offsetMs, row.durationMs, '░'),
      duration: ` ${formatDuration(row.durationMs).padStart(8)}`,
      status: row.errors > 0 ? `  ${row.errors} ERROR` : '',
      detail: '  (--all or --max-children shows them)',
      color: 'gray',
      dim: true,
    }
  }
  const span = row.span
  const hidden = row.hiddenDescendants > 0 ? ` +${row.hiddenDescendants}` : ''
  const label = `${truncateText(`${row.prefix}${span.name}`, labelWidth - hidden.length)}${hidden}`
  const details: string[] = []
  if (row.llm) {
    const { tokens, metered, aggregate, costUsd } = row.llm
    const usage = metered ? `${tokens.input}→${tokens.output} tok` : 'unmetered'
    const cost = aggregate ? '(aggregate)' : costUsd !== null ? formatUsd(costUsd) : metered ? 'unpriced' : ''
    details.push([row.llm.model, usage, cost].filter(Boolean).join(' '))
  }
  if (row.depth === 0 || span.parentSpanId === null) details.push(span.serviceName)
  if (span.statusCode === 2 && span.statusMessage) details.push(span.statusMessage)
  return {
    label: `${label.padEnd(labelWidth)} `,
    bar: bar(row.offsetMs, row.durationMs, '█'),
    duration: ` ${formatDuration(row.durationMs).padStart(8)}`,
    status: `  ${(STATUS[span.statusCode] ?? '').padEnd(5)}`,
    detail: details.length ? `  ${details.join('  ')}` : '',
    color: span.statusCode === 2 ? 'red' : row.llm ? 'magenta' : 'cyan',
    dim: false,
  }
}

/** One line as text; `color` adds ANSI colours (bar by span kind, ERROR in red, LLM details in magenta). */
function lineText(line: Line, color: boolean): string {
  const text = `${line.label}${paint(line.bar, line.color, color)}${line.duration}${paint(line.status, line.status.trim() === 'ERROR' ? 'red' : undefined, color)}${paint(line.detail, line.color === 'magenta' ? 'magenta' : undefined, color)}`
  return paint(color ? text : text.trimEnd(), line.dim ? 'dim' : undefined, color)
}

/** Renders the waterfall for stdout as plain lines (fast at 5,000 spans); colour follows the terminal facts. */
export function renderWaterfall(waterfall: Waterfall, facts: { color: boolean; columns: number }): string {
  const { header, lines } = layout(waterfall, facts.columns)
  return [paint(header, 'bold', facts.color), ...lines.map((l) => lineText(l, facts.color))].join('\n')
}
