import type { CostReport } from './cost-report.js'
import { rowsByModelName } from './report-rows.js'

/**
 * RFC 4180 CSV of a cost report's rows as a person reads them (the names of one model in one row), one header
 * line, no total row, so spreadsheets can sum.
 */
export function costReportCsv(report: CostReport): string {
  const header = [
    ...report.by,
    'usd',
    'calls',
    'input_tokens',
    'output_tokens',
    'cached_input_tokens',
    'unknown_model_calls',
  ]
  const lines = [header.join(',')]
  for (const row of rowsByModelName(report.rows, report.by)) {
    lines.push(
      [
        ...report.by.map((k) => row.key[k] ?? ''),
        String(row.usd),
        row.calls ?? '',
        row.inputTokens ?? '',
        row.outputTokens ?? '',
        row.cachedInputTokens ?? '',
        row.unknownModelCalls,
      ]
        .map((cell) => csvCell(String(cell)))
        .join(','),
    )
  }
  return `${lines.join('\r\n')}\r\n`
}

function csvCell(text: string): string {
  // A leading =, +, - or @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(text) && Number.isNaN(Number(text)) ? `'${text}` : text
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}
