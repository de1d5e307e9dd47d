import { anchorState, EntryTable, useAuditKeys } from './audit-decisions.js'
import { TextFilter } from './filter-field.js'

const SEARCH_FIELDS = [
  ['goblin', 'goblin'],
  ['action', 'action'],
  ['decision', 'decision'],
  ['trace_id', 'trace id'],
] as const

export function AuditPage({ params }: { params: URLSearchParams }) {
  const { summary, error } = useAuditKeys()
  const query = new URLSearchParams()
  for (const [field] of SEARCH_FIELDS) {
    const value = params.get(field)?.trim()
    if (value) query.set(field, value)
  }
  const v = summary?.verification
  return (
    <section>
      {error && <p class="error">{error}</p>}
      {summary && v && (
        <>
          <h1>
            audit log: <span data-testid="audit-size">{summary.entries}</span> entries
          </h1>
          <p class="meta">
            {summary.ledger}
            {summary.tornLine !== null && (
              <span class="bad"> · line {summary.tornLine} is torn (goblin audit repair)</span>
            )}
          </p>
          <p data-testid="audit-verification" class={'error' in v ? 'warn' : v.ok ? 'ok' : 'bad'}>
            goblin audit verify (by the collector, offline, {new Date(v.at).toLocaleTimeString()}):{' '}
            {'error' in v
              ? v.error
              : v.ok
                ? `ok, ${v.entries} entries, ${v.checkpoints} checkpoints`
                : `FAILED: ${v.errors.length} problems`}
          </p>
          {!('error' in v) && v.errors.length > 0 && (
            <ul class="bad">
              {v.errors.slice(0, 20).map((e) => (
                <li key={`${e.kind} ${e.line} ${e.file} ${e.message}`}>
                  {e.line !== null
                    ? `line ${e.line}${e.seq !== null ? ` seq ${e.seq}` : ''}`
                    : (e.file ?? '')}
                  : {e.kind}: {e.message}
                </li>
              ))}
            </ul>
          )}
          <h2>checkpoints ({summary.checkpoints.length})</h2>
          <table class="entries" data-testid="checkpoints">
            <thead>
              <tr>
                <th class="num">size</th>
                <th>written</th>
                <th>origin</th>
                <th>root</th>
                <th>anchors</th>
              </tr>
            </thead>
            <tbody>
              {summary.checkpoints.map((c) => (
                <tr key={c.file}>
                  <td class="num">{c.size}</td>
                  <td>{c.writtenAt}</td>
                  <td>{c.origin ?? c.error}</td>
                  <td>
                    <code>{c.root?.slice(0, 16)}</code>
                  </td>
                  <td>{c.size === undefined ? '' : anchorState(summary, c.size)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>keys the page verifies with</h2>
          <ul class="keys">
            {summary.keys.map((k) => (
              <li key={k.kid}>
                <code>{k.vkey}</code> ({k.status})
              </li>
            ))}
            {summary.keys.length === 0 && <li>the keyring is empty: no signature can be checked</li>}
          </ul>
        </>
      )}
      <h2>entries</h2>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        {SEARCH_FIELDS.map(([field, label]) => (
          <TextFilter key={field} params={params} name={field} label={label} />
        ))}
      </form>
      <EntryTable key={query.toString()} query={query} testId="audit-entries" />
    </section>
  )
}
