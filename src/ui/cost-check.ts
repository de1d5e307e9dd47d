import type { BudgetCheck, EnvelopeResult, EnvelopeStatus } from '../cost/budget-check.js'
import { formatUsd } from './format.js'
import { styler, type Tone } from './style.js'
import { renderTable } from './table.js'

const STATUS_TONE: Record<EnvelopeStatus, Tone> = { ok: 'green', warn: 'yellow', exceeded: 'red' }

/** `goblin cost check`'s human output: each envelope, its period, spend and budget, and a summary. */
export function renderBudgetCheck(check: BudgetCheck, options: { color: boolean; columns: number }): string {
  const s = styler(options.color)
  const who = (e: EnvelopeResult) =>
    [e.goblin && `goblin=${e.goblin}`, e.task && `task=${e.task}`].filter(Boolean).join(' ') || '(all)'
  const { ok, warn, exceeded } = check.summary
  const lines: string[] = []
  if (check.envelopes.length > 0)
    lines.push(
      renderTable(
        check.envelopes,
        [
          { header: 'STATUS', value: (e) => e.status.toUpperCase(), tone: (e) => STATUS_TONE[e.status] },
          { header: 'WHO', value: who },
          { header: 'PERIOD', value: (e) => `${e.period} from ${e.periodStart.slice(0, 10)}` },
          { header: 'SPENT', value: (e) => formatUsd(e.spentUsd), align: 'right' },
          { header: 'BUDGET', value: (e) => formatUsd(e.budgetUsd), align: 'right' },
          { header: 'USED', value: (e) => `${Math.round(e.used * 100)}%`, align: 'right' },
          { header: '', value: (e) => (e.unknownModelCalls ? `${e.unknownModelCalls} unpriced calls` : '') },
        ],
        options,
      ),
    )
  for (const note of check.notes) lines.push(s(note, 'dim'))
  if (check.envelopes.length > 0) lines.push('')
  lines.push(
    s(
      s(`${ok} ok, ${warn} warn, ${exceeded} exceeded`, exceeded > 0 ? 'red' : warn > 0 ? 'yellow' : 'green'),
      'bold',
    ),
  )
  return lines.join('\n')
}
