import type { CostReport } from '../cost/cost-report.js'
import type { CostRow } from '../cost/price-groups.js'
import { rowsByModelName } from '../cost/report-rows.js'
import { formatCount, formatUsd } from './format.js'
import { styler } from './style.js'
import { type Column, renderTable } from './table.js'

const BAR_WIDTH = 20

/** A bar of up to BAR_WIDTH cells for a share of the largest row. */
function bar(value: number, max: number): string {
  if (max <= 0 || value <= 0) return ''
  const cells = Math.max(1, Math.round((value / max) * BAR_WIDTH))
  return '█'.repeat(cells)
}

/**
 * `goblin cost report`'s human output: one row per group (the names of one model in one row) with a bar, a
 * total line, unknown models and notes.
 */
export function renderCostReport(report: CostReport, options: { color: boolean; columns: number }): string {
  const s = styler(options.color)
  const rows = rowsByModelName(report.rows, report.by)
  const max = Math.max(0, ...rows.map((r) => r.usd))
  const tokens = report.backend === 'embedded'
  const columns: Column<CostRow>[] = [
    ...report.by.map((k) => ({ header: k.toUpperCase(), value: (r: CostRow) => r.key[k] ?? '' })),
    { header: 'USD', value: (r) => `${formatUsd(r.usd)}${r.metricsUsd ? '*' : ''}`, align: 'right' },
    ...(tokens
      ? ([
          { header: 'CALLS', value: (r) => formatCount(r.calls), align: 'right' },
          { header: 'INPUT', value: (r) => formatCount(r.inputTokens), align: 'right' },
          { header: 'OUTPUT', value: (r) => formatCount(r.outputTokens), align: 'right' },
          {
            header: 'UNKNOWN',
            value: (r) => (r.unknownModelCalls ? formatCount(r.unknownModelCalls) : ''),
            align: 'right',
            tone: (r) => (r.unknownModelCalls ? 'yellow' : undefined),
          },
          {
            header: 'UNMETERED',
            value: (r) => (r.unmeteredCalls ? formatCount(r.unmeteredCalls) : ''),
            align: 'right',
            tone: (r) => (r.unmeteredCalls ? 'yellow' : undefined),
          },
        ] satisfies Column<CostRow>[])
      : []),
    { header: '', value: (r) => bar(r.usd, max), tone: () => 'cyan' },
  ]
  const t = report.total
  const lines = [
    s(`LLM cost ${report.since} → ${report.until} (${report.backend}), by ${report.by.join(', ')}`, 'dim'),
    rows.length === 0 ? 'No LLM calls in this period.' : renderTable(rows, columns, options),
    '',
    s(
      `Total ${formatUsd(t.usd)}${tokens ? `  ${formatCount(t.calls)} calls, ${formatCount(t.inputTokens)} input / ${formatCount(t.outputTokens)} output tokens` : ''}`,
      'bold',
    ),
  ]
  if (report.unknownModels.length > 0)
    lines.push(
      s(
        `Not priced (unknown models, not counted as $0): ${report.unknownModels.map((u) => `${u.model} (${u.calls} calls)`).join(', ')}. Import current prices: goblin cost prices import <file|URL>.`,
        'yellow',
      ),
    )
  if (t.unmeteredCalls > 0)
    lines.push(
      s(
        `Unmetered: ${formatCount(t.unmeteredCalls)} calls reported no token counts and no cost of their own (not counted as $0). Their sender's telemetry omits usage; see docs/cost.md, the conventions read.`,
        'yellow',
      ),
    )
  if (t.metricsUsd !== undefined)
    lines.push(
      `* from metrics: ${formatUsd(t.metricsUsd)} of the total is Claude Code's claude_code.cost.usage (its own estimate) for sessions that sent no log events or spans; their tokens are counted, their calls are not known.`,
    )
  for (const note of report.notes) lines.push(s(note, 'dim'))
  return lines.join('\n')
}
