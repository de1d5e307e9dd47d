import type { CheckResult, CheckStatus, DoctorSummary } from '../doctor/check.js'
import { styler, type Tone } from './style.js'
import { renderTable } from './table.js'

const STATUS_TONE: Record<CheckStatus, Tone> = { ok: 'green', warn: 'yellow', fail: 'red', skip: 'gray' }

/** doctor's human output: the checks as a table, fixes for what is not ok, and a summary line. */
export function renderDoctorReport(
  report: { checks: CheckResult[]; summary: DoctorSummary },
  options: { color: boolean; columns: number },
): string {
  const s = styler(options.color)
  const needsFix = report.checks.filter((c) => (c.status === 'warn' || c.status === 'fail') && c.fix)
  const { ok, warn, fail, skip } = report.summary
  const lines = [
    renderTable(
      report.checks,
      [
        { header: 'STATUS', value: (c) => c.status.toUpperCase(), tone: (c) => STATUS_TONE[c.status] },
        { header: 'CHECK', value: (c) => c.id },
        { header: 'DETAIL', value: (c) => c.detail, shrink: true },
      ],
      options,
    ),
  ]
  if (needsFix.length > 0)
    lines.push('', ...needsFix.map((c) => `${s(c.id, STATUS_TONE[c.status])}: ${c.fix}`))
  lines.push(
    '',
    s(
      s(
        `${ok} ok, ${warn} warn, ${fail} fail, ${skip} skipped`,
        fail > 0 ? 'red' : warn > 0 ? 'yellow' : 'green',
      ),
      'bold',
    ),
  )
  return lines.join('\n')
}
