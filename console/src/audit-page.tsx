import { useState } from 'preact/hooks'
import type { AuditSummary } from './api.js'
import { anchorState, EntryTable, useAuditKeys } from './audit-decisions.js'
import { TextFilter } from './filter-field.js'
import { pinKeys, unpinKeys } from './pinned-keys.js'

const SEARCH_FIELDS = [
  ['goblin', 'goblin'],
  ['action', 'action'],
  ['decision', 'decision'],
  ['trace_id', 'trace id'],
] as const

export function AuditPage({ params }: { params: URLSearchParams }) {
  const [version, setVersion] = useState(0)
  const { summary, keys, pinned, error } = useAuditKeys(version)
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
          <KeysSection
            served={summary.keys}
            pinned={pinned}
            trusted={keys.map((k) => `${k.name}+${k.keyHash}`)}
            onChange={() => setVersion(version + 1)}
          />
        </>
      )}
      <h2>entries</h2>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        {SEARCH_FIELDS.map(([field, label]) => (
          <TextFilter key={field} params={params} name={field} label={label} />
        ))}
      </form>
      <EntryTable key={`${query} ${version}`} query={query} testId="audit-entries" version={version} />
    </section>
  )
}

/** The keys the page verifies with, and pinning your own in this browser instead of the collector's. */
function KeysSection({
  served,
  pinned,
  trusted,
  onChange,
}: {
  served: AuditSummary['keys']
  pinned: boolean
  trusted: string[]
  onChange: () => void
}) {
  const [text, setText] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const pin = async () => {
    const result = await pinKeys(text)
    if ('error' in result) return setProblem(result.error)
    setProblem(null)
    setText('')
    onChange()
  }
  return (
    <>
      <h2>keys the page verifies with</h2>
      <p class="meta" data-testid="key-source">
        {pinned
          ? 'pinned in this browser: the keys the collector sends are not used'
          : "the collector's keyring: pin the keys of goblin audit keys export (from a machine you trust) to stop trusting it"}
      </p>
      <ul class="keys" data-testid="trusted-keys">
        {trusted.map((k) => (
          <li key={k}>
            <code>{k}</code>
            {!pinned && ` (${served.find((s) => s.kid === k)?.status ?? 'unknown'})`}
          </li>
        ))}
        {trusted.length === 0 && <li>no key: no signature can be checked</li>}
      </ul>
      <form class="pin" onSubmit={(e) => e.preventDefault()}>
        <textarea
          name="pin"
          rows={2}
          placeholder="name+1a2b3c4d+AbC... (one verifier key a line)"
          value={text}
          onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
        />
        <button type="button" onClick={pin}>
          pin these keys
        </button>
        {pinned && (
          <button
            type="button"
            onClick={() => {
              unpinKeys()
              onChange()
            }}
          >
            unpin: use the collector's keyring
          </button>
        )}
        {problem && (
          <p class="error" data-testid="pin-error">
            {problem}
          </p>
        )}
      </form>
    </>
  )
}
