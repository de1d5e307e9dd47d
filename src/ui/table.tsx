import { Box, renderToString, Text } from 'ink'

export interface Column<Row> {
  header: string
  /** The cell's text for a row. */
  value: (row: Row) => string
  /** Ink colour name for the cell, or undefined for the default. */
  color?: (row: Row) => string | undefined
  align?: 'left' | 'right'
}

/** A plain aligned table: a bold header, one line per row, cells padded to the widest value. */
export function Table<Row>({ rows, columns }: { rows: Row[]; columns: Column<Row>[] }) {
  const widths = columns.map((c) => Math.max(c.header.length, ...rows.map((r) => c.value(r).length)))
  const pad = (text: string, i: number) => {
    const width = widths[i] ?? text.length
    return columns[i]?.align === 'right' ? text.padStart(width) : text.padEnd(width)
  }
  return (
    <Box flexDirection="column">
      <Text bold>{columns.map((c, i) => pad(c.header, i)).join('  ')}</Text>
      {rows.map((row, r) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are static output, never reordered
        <Text key={r} wrap="truncate-end">
          {columns.map((c, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: columns are fixed
            <Text key={i} color={c.color?.(row)}>
              {pad(c.value(row), i)}
              {i < columns.length - 1 ? '  ' : ''}
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  )
}

/** Renders a table to a string for stdout; colour follows the caller's terminal facts. */
export function renderTable<Row>(
  rows: Row[],
  columns: Column<Row>[],
  options: { color: boolean; columns: number },
): string {
  const table = (
    <Table rows={rows} columns={options.color ? columns : columns.map((c) => ({ ...c, color: undefined }))} />
  )
  const text = renderToString(table, { columns: options.columns })
  return options.color ? text : stripAnsi(text)
}

function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC
  return text.replace(/\u001B\[[0-9;]*m/g, '')
}
