import { useEffect, useState } from 'preact/hooks'
import {
  type AuditEntries,
  type AuditProofs,
  type AuditSummary,
  api,
  type InclusionProofJson,
} from './api.js'
import { keysToTrust } from './pinned-keys.js'
import {
  type BrowserKey,
  type InclusionState,
  type SignatureState,
  verifyEntrySignature,
  verifyInclusion,
} from './verify.js'

/** What the page itself concluded about one entry, and the anchor state of the checkpoint holding it. */
interface EntryVerdict {
  signature: SignatureState
  inclusion: InclusionState
  anchor: string | null
}

interface Envelope {
  seq?: number
  ts?: string
  goblin_id?: string
  action?: string
  decision?: string
  trace_id?: string | null
  kid?: string
}

export interface AuditKeys {
  summary: AuditSummary | null
  /** The keys the page verifies with (pinned-keys.ts), imported into WebCrypto. */
  keys: BrowserKey[]
  /** True when they are the keys pinned in this browser, not the collector's keyring. */
  pinned: boolean
  error: string | null
}

/** The audit summary and the keys to verify with; `version` re-reads them (after pinning keys). */
export function useAuditKeys(version = 0): AuditKeys {
  const [state, setState] = useState<AuditKeys>({ summary: null, keys: [], pinned: false, error: null })
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is only the trigger to read again
  useEffect(() => {
    api.auditSummary().then(
      async (summary) => {
        const { keys, pinned } = await keysToTrust(summary.keys.map((k) => k.vkey))
        setState({ summary, keys, pinned, error: null })
      },
      (e: Error) => setState({ summary: null, keys: [], pinned: false, error: e.message }),
    )
  }, [version])
  return state
}

/** The state of the anchors of the checkpoint of `size`, as `goblin audit verify` found them. */
export function anchorState(summary: AuditSummary, size: number): string {
  const checkpoint = summary.checkpoints.find((c) => c.size === size)
  const anchors = 'anchors' in summary.verification ? summary.verification.anchors : []
  const check = anchors.find((a) => a.size === size)
  if (!checkpoint?.receipt && !check) return 'not anchored'
  const parts: string[] = []
  if (check?.ots)
    parts.push(
      `OpenTimestamps ${check.ots.status === 'unchecked' ? 'replayed offline (audit verify --online checks Bitcoin)' : check.ots.status}`,
    )
  if (check?.ethereum)
    parts.push(`Ethereum ${check.ethereum.status} (tx ${check.ethereum.tx_hash.slice(0, 12)}…)`)
  return parts.length > 0 ? parts.join('; ') : 'receipt present, no anchor in it'
}

async function verifyEntry(
  index: number,
  line: string,
  proofs: AuditProofs,
  proof: InclusionProofJson | null,
  keys: BrowserKey[],
  summary: AuditSummary,
): Promise<EntryVerdict> {
  const signature = await verifyEntrySignature(line, keys)
  const inclusion = await verifyInclusion(
    line,
    index,
    proofs.checkpoint?.note ?? null,
    proof?.proof ?? null,
    keys,
  )
  const anchor = inclusion.state === 'included' ? anchorState(summary, inclusion.checkpoint.size) : null
  return { signature, inclusion, anchor }
}

/** Ledger entries matching `query`, each verified in the browser as it is shown. */
export function EntryTable({
  query,
  testId,
  version = 0,
}: {
  query: URLSearchParams
  testId: string
  version?: number
}) {
  const { summary, keys, error } = useAuditKeys(version)
  const [entries, setEntries] = useState<AuditEntries | null>(null)
  const [verdicts, setVerdicts] = useState(new Map<number, EntryVerdict>())
  const [loadError, setLoadError] = useState<string | null>(null)
  const key = query.toString()
  useEffect(() => {
    api.auditEntries(new URLSearchParams(key)).then(setEntries, (e: Error) => setLoadError(e.message))
  }, [key])
  useEffect(() => {
    if (!entries || !summary) return
    let stopped = false
    const found = new Map<number, EntryVerdict>()
    ;(async () => {
      if (entries.entries.length === 0) return
      // One request for every shown entry's proof: the collector reads the ledger once.
      const proofs = await api.auditProofs(entries.entries.map((e) => e.index))
      for (const [i, e] of entries.entries.entries()) {
        const verdict = await verifyEntry(e.index, e.line, proofs, proofs.proofs[i] ?? null, keys, summary)
        if (stopped) return
        found.set(e.index, verdict)
        setVerdicts(new Map(found))
      }
    })()
    return () => {
      stopped = true
    }
  }, [entries, summary, keys])
  if (error || loadError) return <p class="error">{error ?? loadError}</p>
  if (!entries) return <p class="meta">loading audit entries…</p>
  if (entries.entries.length === 0)
    return (
      <p class="meta" data-testid={testId}>
        no audit entries
      </p>
    )
  return (
    <table class="entries" data-testid={testId}>
      <thead>
        <tr>
          <th>seq</th>
          <th>time</th>
          <th>goblin</th>
          <th>action</th>
          <th>decision</th>
          <th>trace</th>
          <th>signature (checked here)</th>
          <th>in checkpoint (checked here)</th>
          <th>anchored</th>
        </tr>
      </thead>
      <tbody>
        {entries.entries.map((e) => {
          let env: Envelope = {}
          try {
            env = JSON.parse(e.line) as Envelope
          } catch {
            // Shown as malformed by the signature check.
          }
          const v = verdicts.get(e.index)
          const failed = v && (v.signature !== 'valid' || v.inclusion.state === 'not-included')
          return (
            <tr key={e.index} data-index={e.index} class={failed ? 'failed' : v ? 'verified' : ''}>
              <td>{env.seq ?? e.index}</td>
              <td>{env.ts}</td>
              <td>{env.goblin_id}</td>
              <td>{env.action}</td>
              <td>{env.decision}</td>
              <td>
                {env.trace_id ? <a href={`#/trace/${env.trace_id}`}>{env.trace_id.slice(0, 8)}</a> : ''}
              </td>
              <td data-testid="entry-signature" class={v ? (v.signature === 'valid' ? 'ok' : 'bad') : ''}>
                {v ? (v.signature === 'valid' ? `valid (${env.kid})` : v.signature) : 'checking…'}
              </td>
              <td
                data-testid="entry-inclusion"
                class={
                  v
                    ? v.inclusion.state === 'included'
                      ? 'ok'
                      : v.inclusion.state === 'pending'
                        ? 'warn'
                        : 'bad'
                    : ''
                }
              >
                {v
                  ? v.inclusion.state === 'included'
                    ? `included in checkpoint ${v.inclusion.checkpoint.size} (${v.inclusion.checkpoint.origin}, signed by ${v.inclusion.checkpoint.signedBy.join(', ')})`
                    : `${v.inclusion.state}: ${v.inclusion.reason}`
                  : 'checking…'}
              </td>
              <td data-testid="entry-anchor">{v?.anchor ?? ''}</td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

/** The audit decisions taken inside a trace (entries whose trace_id is the trace's). */
export function AuditDecisions({ traceId }: { traceId: string }) {
  return (
    <section class="decisions">
      <h2>audit decisions in this trace</h2>
      <EntryTable query={new URLSearchParams({ trace_id: traceId })} testId="trace-decisions" />
    </section>
  )
}
