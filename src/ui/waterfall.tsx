import { Box, renderToString, Text } from 'ink'
import type { Waterfall, WaterfallRow } from '../trace/waterfall.js'
import { formatDuration, formatStart, formatUsd, truncateText } from './waterfall-format.js'

const STATUS = ['', 'ok', 'ERROR']

/** One waterfall line's parts, precomputed as plain strings so 5,000 rows render fast. */
interface Line {
  label: string
  bar: string
  duration: string
  status: string
  detail: string
  color: string | undefined
  dim: boolean
}

/** The trace waterfall: a header, then one line per span with tree, timing bar, duration, status and LLM facts. */
export function WaterfallView({ waterfall, columns }: { waterfall: Waterfall; columns: number }) {
  const { lines, header } = layout(waterfall, columns)
  return (
    <Box flexDirection="column">
      <Text bold>{header}</Text>
      {lines.map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: static output, never reordered
        <Text key={i} wrap="truncate-end" dimColor={line.dim}>
          {line.label}
          <Text color={line.color}>{line.bar}</Text>
          {line.duration}
          <Text color={line.status.trim() === 'ERROR' ? 'red' : undefined}>{line.status}</Text>
          <Text color={line.color === 'magenta' ? 'magenta' : undefined}>{line.detail}</Text>
        </Text>
      ))}
    </Box>
  )
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

/** Above this many rows the coloured waterfall skips ink's layout engine, which costs milliseconds a row. */
export const INK_MAX_ROWS = 100

const ANSI: Record<string, [number, number]> = {
  red: [31, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
}
const paint = (text: string, color: string | undefined) => {
  const codes = color ? ANSI[color] : undefined
  return codes && text ? `\u001B[${codes[0]}m${text}\u001B[${codes[1]}m` : text
}

/** One line as text; `color` adds the same ANSI colours the ink view uses. */
function lineText(line: Line, color: boolean): string {
  if (!color) return `${line.label}${line.bar}${line.duration}${line.status}${line.detail}`.trimEnd()
  const text = `${line.label}${paint(line.bar, line.color)}${line.duration}${paint(line.status, line.status.trim() === 'ERROR' ? 'red' : undefined)}${paint(line.detail, line.color === 'magenta' ? 'magenta' : undefined)}`
  return line.dim ? `\u001B[2m${text}\u001B[22m` : text
}

/**
 * Renders the waterfall for stdout; colour follows the terminal facts. Small traces render through ink
 * (WaterfallView); large ones write the same laid-out lines directly, so a 5,000-span trace stays fast.
 */
export function renderWaterfall(waterfall: Waterfall, facts: { color: boolean; columns: number }): string {
  if (facts.color && waterfall.rows.length <= INK_MAX_ROWS) {
    return renderToString(<WaterfallView waterfall={waterfall} columns={facts.columns} />, {
      columns: facts.columns + 200,
    })
  }
  const { header, lines } = layout(waterfall, facts.columns)
  const head = facts.color ? `\u001B[1m${header}\u001B[22m` : header
  return [head, ...lines.map((l) => lineText(l, facts.color))].join('\n')
}
