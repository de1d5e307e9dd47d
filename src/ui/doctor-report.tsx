import { Box, renderToString, Text } from 'ink'
import type { CheckResult, CheckStatus, DoctorSummary } from '../doctor/check.js'
import { Table } from './table.js'

const STATUS_COLOR: Record<CheckStatus, string> = { ok: 'green', warn: 'yellow', fail: 'red', skip: 'gray' }

/** doctor's human output: the checks as a table, fixes for what is not ok, and a summary line. */
export function renderDoctorReport(
  report: { checks: CheckResult[]; summary: DoctorSummary },
  options: { color: boolean; columns: number },
): string {
  const needsFix = report.checks.filter((c) => (c.status === 'warn' || c.status === 'fail') && c.fix)
  const { ok, warn, fail, skip } = report.summary
  const view = (
    <Box flexDirection="column">
      <Table
        rows={report.checks}
        columns={[
          { header: 'STATUS', value: (c) => c.status.toUpperCase(), color: (c) => STATUS_COLOR[c.status] },
          { header: 'CHECK', value: (c) => c.id },
          { header: 'DETAIL', value: (c) => c.detail },
        ]}
      />
      {needsFix.length > 0 && (
        <Box flexDirection="column" marginTop={1}>
          {needsFix.map((c) => (
            <Text key={c.id}>
              <Text color={STATUS_COLOR[c.status]}>{c.id}</Text>: {c.fix}
            </Text>
          ))}
        </Box>
      )}
      <Box marginTop={1}>
        <Text bold color={fail > 0 ? 'red' : warn > 0 ? 'yellow' : 'green'}>
          {`${ok} ok, ${warn} warn, ${fail} fail, ${skip} skipped`}
        </Text>
      </Box>
    </Box>
  )
  const text = renderToString(view, { columns: options.columns })
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC
  return options.color ? text : text.replace(/\u001B\[[0-9;]*m/g, '')
}
