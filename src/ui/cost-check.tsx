import { Box, renderToString, Text } from 'ink'
import type { BudgetCheck, EnvelopeResult, EnvelopeStatus } from '../cost/budget-check.js'
import { formatUsd } from './cost-format.js'
import { Table } from './table.js'

const STATUS_COLOR: Record<EnvelopeStatus, string> = { ok: 'green', warn: 'yellow', exceeded: 'red' }

/** `goblin cost check`'s human output: each envelope, its period, spend and budget, and a summary. */
export function renderBudgetCheck(check: BudgetCheck, options: { color: boolean; columns: number }): string {
  const who = (e: EnvelopeResult) =>
    [e.goblin && `goblin=${e.goblin}`, e.task && `task=${e.task}`].filter(Boolean).join(' ') || '(all)'
  const { ok, warn, exceeded } = check.summary
  const view = (
    <Box flexDirection="column">
      {check.envelopes.length > 0 && (
        <Table
          rows={check.envelopes}
          columns={[
            { header: 'STATUS', value: (e) => e.status.toUpperCase(), color: (e) => STATUS_COLOR[e.status] },
            { header: 'WHO', value: who },
            { header: 'PERIOD', value: (e) => `${e.period} from ${e.periodStart.slice(0, 10)}` },
            { header: 'SPENT', value: (e) => formatUsd(e.spentUsd), align: 'right' },
            { header: 'BUDGET', value: (e) => formatUsd(e.budgetUsd), align: 'right' },
            { header: 'USED', value: (e) => `${Math.round(e.used * 100)}%`, align: 'right' },
            {
              header: '',
              value: (e) => (e.unknownModelCalls ? `${e.unknownModelCalls} unpriced calls` : ''),
            },
          ]}
        />
      )}
      {check.notes.map((note) => (
        <Text key={note} dimColor>
          {note}
        </Text>
      ))}
      <Box marginTop={check.envelopes.length > 0 ? 1 : 0}>
        <Text bold color={exceeded > 0 ? 'red' : warn > 0 ? 'yellow' : 'green'}>
          {`${ok} ok, ${warn} warn, ${exceeded} exceeded`}
        </Text>
      </Box>
    </Box>
  )
  const text = renderToString(view, { columns: Math.max(options.columns, 60) })
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC
  return options.color ? text : text.replace(/\u001B\[[0-9;]*m/g, '')
}
