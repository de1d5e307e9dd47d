import type { BrowsedEntry, BrowseResult, EntryState } from '../audit/browse.js'
import { paint, type Tone } from './style.js'
import { renderTable } from './table.js'

const STATE_TONE: Record<EntryState, Tone> = { checkpointed: 'green', signed: 'yellow', failed: 'red' }

/** What a state means, in the words `audit get` prints under an entry. */
function stateLine(entry: BrowsedEntry): string {
  const v = entry.verification
  if (v.state === 'checkpointed')
    return `checkpointed: signature verified, covered by checkpoint ${v.checkpoint}`
  if (v.state === 'signed')
    return 'signed: signature verified; no checkpoint covers it yet (goblin audit checkpoint)'
  return `failed: ${v.problems.map((p) => `${p.kind}: ${p.message}`).join('; ')}`
}

const text = (value: unknown) =>
  typeof value === 'string' ? value : value === null ? '-' : JSON.stringify(value)

/** `goblin audit get`: the entry's fields, its attributes, and its verification. */
export function renderEntry(result: BrowseResult, facts: { color: boolean }): string {
  const entry = result.matches[0] as BrowsedEntry
  const e = entry.envelope ?? {}
  const fields: Array<[string, unknown]> = [
    ['seq', entry.seq],
    ['line', entry.line],
    ['ts', e.ts],
    ['goblin', e.goblin_id],
    ['action', e.action],
    ['decision', e.decision],
    ['trace', e.trace_id],
    ['kid', e.kid],
  ]
  const width = Math.max(...fields.map(([name]) => name.length))
  const lines = fields.map(([name, value]) => `${name.padEnd(width)}  ${text(value)}`)
  if (e.attrs !== undefined)
    lines.push(
      `${'attrs'.padEnd(width)}  ${JSON.stringify(e.attrs, null, 2).replaceAll('\n', `\n${' '.repeat(width + 2)}`)}`,
    )
  lines.push(paint(stateLine(entry), STATE_TONE[entry.verification.state], facts.color))
  return [...lines, ...logProblemLines(result)].join('\n')
}

/** `goblin audit search`: one row per entry, then how many and from which log. */
export function renderEntries(
  result: BrowseResult,
  limit: number,
  facts: { color: boolean; columns: number },
): string {
  if (result.matches.length === 0) return `no matching entries among ${result.entries} in ${result.ledger}`
  const table = renderTable(
    result.matches,
    [
      { header: 'SEQ', value: (m) => String(m.seq), align: 'right' },
      { header: 'TIME', value: (m) => text(m.envelope?.ts ?? null) },
      { header: 'GOBLIN', value: (m) => text(m.envelope?.goblin_id ?? null) },
      { header: 'ACTION', value: (m) => text(m.envelope?.action ?? null) },
      { header: 'DECISION', value: (m) => text(m.envelope?.decision ?? null) },
      { header: 'TRACE', value: (m) => text(m.envelope?.trace_id ?? null) },
      {
        header: 'STATE',
        value: (m) => m.verification.state,
        tone: (m) => STATE_TONE[m.verification.state],
      },
    ],
    facts,
  )
  const more = result.matches.length === limit ? ` (the first ${limit}; --limit shows more)` : ''
  const summary = `${result.matches.length} of ${result.entries} entries in ${result.ledger}${more}`
  return [table, summary, ...logProblemLines(result)].join('\n')
}

function logProblemLines(result: BrowseResult): string[] {
  return result.logProblems.map((p) => `log: ${p.kind}: ${p.message}${p.file ? ` (${p.file})` : ''}`)
}
