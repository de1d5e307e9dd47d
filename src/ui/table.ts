import { paint, type Tone } from './style.js'

export interface Column<Row> {
  header: string
  /** The cell's text for a row. */
  value: (row: Row) => string
  /** The cell's tone (colour) for a row, or undefined for the default. */
  tone?: (row: Row) => Tone | undefined
  align?: 'left' | 'right'
  /**
   * Free text (a span name, a description) that may be shortened with `…` so the table fits the terminal.
   * Columns without it hold identifiers (trace ids, images, paths, model names) and are never cut.
   */
  shrink?: boolean
}

const GAP = '  '
/** A shrinkable column keeps at least this many characters (or its header's width). */
const MIN_SHRUNK = 12

/**
 * A table as plain text: a bold header, one line per row, cells padded to the widest value, two spaces apart.
 * When it is wider than `width`, shrinkable columns give up characters (the widest first); identifiers never
 * do, so a table that still does not fit runs past the edge rather than lose part of an id.
 */
export function renderTable<Row>(
  rows: Row[],
  columns: Column<Row>[],
  options: { color: boolean; columns: number },
): string {
  const cells = rows.map((row) => columns.map((c) => c.value(row)))
  const widths = fitWidths(
    columns,
    columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]?.length ?? 0))),
    options.columns,
  )
  const layout = (text: string, i: number) => {
    const width = widths[i] ?? text.length
    const cut = text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text
    return columns[i]?.align === 'right' ? cut.padStart(width) : cut.padEnd(width)
  }
  const header = columns
    .map((c, i) => layout(c.header, i))
    .join(GAP)
    .trimEnd()
  const lines = cells.map((cellsOfRow, r) =>
    columns
      .map((c, i) => {
        const row = rows[r] as Row
        return paint(layout(cellsOfRow[i] ?? '', i), c.tone?.(row), options.color)
      })
      .join(GAP)
      .trimEnd(),
  )
  return [paint(header, 'bold', options.color), ...lines].join('\n')
}

/** Column widths after shrinking the shrinkable ones, widest first, until the table fits `total`. */
function fitWidths<Row>(columns: Column<Row>[], natural: number[], total: number): number[] {
  const widths = [...natural]
  let excess = widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1) - total
  const floor = (i: number) => Math.max(MIN_SHRUNK, columns[i]?.header.length ?? 0)
  while (excess > 0) {
    let widest = -1
    for (let i = 0; i < widths.length; i++) {
      if (!columns[i]?.shrink || (widths[i] ?? 0) <= floor(i)) continue
      if (widest === -1 || (widths[i] ?? 0) > (widths[widest] ?? 0)) widest = i
    }
    if (widest === -1) break
    widths[widest] = (widths[widest] ?? 0) - 1
    excess--
  }
  return widths
}
