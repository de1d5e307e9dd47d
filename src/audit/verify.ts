import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { usageError } from '../core/errors.js'
import { parseCheckpoint } from './checkpoint.js'
import { listCheckpoints } from './checkpoint-store.js'
import {
  allocateEntryResults,
  checkRange,
  type EntryDetail,
  type EntryResults,
  EntryStatus,
  type KeyTable,
} from './entry-check.js'
import { type KeyRecord, keyWindowProblem } from './keyring.js'
import { ledgerPaths, readLedgerSnapshot, splitLedgerLines } from './ledger.js'
import { consistencyProof, type LeafHashes, MerkleCache, verifyConsistency } from './merkle.js'
import { type NoteVerifier, openNote } from './signed-note.js'

/** The kinds of problem `goblin audit verify` reports; other modules (anchors) add their own kinds. */
export type VerifyErrorKind =
  | 'modified-entry'
  | 'bad-signature'
  | 'unknown-key'
  | 'revoked-key'
  | 'key-outside-window'
  | 'gap'
  | 'reorder'
  | 'duplicate'
  | 'torn-line'
  | 'truncated-log'
  | 'checkpoint-mismatch'
  | 'checkpoint-signature'
  | 'checkpoint-inconsistent'
  | 'bad-checkpoint'

/** One problem: where (seq and 1-based line of the ledger, or the checkpoint file) and what. */
export interface VerifyError {
  seq: number | null
  line: number | null
  kind: VerifyErrorKind | (string & {})
  message: string
  file?: string
}

export interface VerifyReport {
  ok: boolean
  entries: number
  checkpoints: number
  /** Hex root of the tree over every complete line. */
  root: string
  errors: VerifyError[]
}

/** A key verification trusts: with its keyring record (validity window), or bare (from --key, no window). */
export interface TrustedKey {
  verifier: NoteVerifier
  record: KeyRecord | null
}

/** Below this many entries a single thread is faster than starting workers. */
export const PARALLEL_THRESHOLD = 4096

/**
 * Checks the whole ledger: every entry's form and signature under the key valid at its time, seq
 * continuity, the Merkle tree, every stored checkpoint (signature, size, root) and consistency between
 * successive checkpoints. Reports every problem, not just the first. Signature checks of large logs run
 * on `threads` worker threads (default: all cores).
 */
export async function verifyLedger(
  ledgerDir: string,
  trusted: TrustedKey[],
  options: { threads?: number } = {},
): Promise<VerifyReport> {
  // A mistyped --ledger must not pass as "an empty log verifies".
  // Checkpoints are read before the log: each covers entries already durable, so a checkpoint written
  // while we read can never look like a truncated log.
  const stored = listCheckpoints(ledgerDir)
  if (!existsSync(ledgerPaths(ledgerDir).log) && stored.length === 0)
    throw usageError(
      'AUDIT_NO_LEDGER',
      `no audit log in ${ledgerDir}`,
      'Check --ledger (or audit.ledger in goblin.config.json); goblin audit sign creates the log.',
    )
  const bytes = await readLedgerSnapshot(ledgerDir)
  const lines = splitLedgerLines(bytes)
  const n = lines.count
  const table: KeyTable = {
    kids: trusted.map((t) => keyId(t.verifier)),
    publicKeys: trusted.map((t) => t.verifier.publicKey),
  }
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), Math.ceil(n / 1024)))
  const workerFile = fileURLToPath(new URL('./verify-worker.js', import.meta.url))
  // Running from TypeScript sources (tests) there is no compiled worker: the same checks run in-process.
  const parallel = threads > 1 && n >= PARALLEL_THRESHOLD && existsSync(workerFile)
  const results = allocateEntryResults(n, parallel)
  const details = parallel
    ? await checkInWorkers(workerFile, bytes, lines.starts, lines.ends, n, threads, table, results)
    : checkRange(bytes, lines.starts, lines.ends, 0, n, table, results)

  const errors: VerifyError[] = []
  const at = (i: number) => ({
    seq: Number.isNaN(results.seq[i] as number) ? null : (results.seq[i] as number),
    line: i + 1,
  })
  const kinds: Record<number, VerifyErrorKind> = {
    [EntryStatus.modified]: 'modified-entry',
    [EntryStatus.unknownKey]: 'unknown-key',
    [EntryStatus.badSignature]: 'bad-signature',
  }
  for (const d of details)
    errors.push({
      ...at(d.index),
      kind: kinds[results.status[d.index] as number] ?? 'modified-entry',
      message: d.message,
    })
  errors.push(...keyWindowErrors(results, trusted, at))
  errors.push(...sequenceErrors(results.seq, n))
  if (lines.torn)
    errors.push({
      seq: null,
      line: lines.torn.line,
      kind: 'torn-line',
      message: `the last line is incomplete (${lines.torn.bytes} bytes without a newline: a crash mid-append); goblin audit repair sets it aside`,
    })

  const leaves: LeafHashes = { bytes: results.leaves, count: n }
  const tree = new MerkleCache(leaves)
  errors.push(...checkpointErrors(stored, trusted, tree))
  errors.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER))
  return {
    ok: errors.length === 0,
    entries: n,
    checkpoints: stored.length,
    root: tree.subtree(0, n).toString('hex'),
    errors,
  }
}

function keyId(verifier: NoteVerifier): string {
  return `${verifier.name}+${verifier.keyId.toString(16).padStart(8, '0')}`
}

async function checkInWorkers(
  workerFile: string,
  bytes: Buffer,
  starts: Float64Array,
  ends: Float64Array,
  n: number,
  threads: number,
  table: KeyTable,
  out: EntryResults,
): Promise<EntryDetail[]> {
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.length))
  shared.set(bytes)
  const sharedStarts = new Float64Array(new SharedArrayBuffer(starts.byteLength))
  sharedStarts.set(starts)
  const sharedEnds = new Float64Array(new SharedArrayBuffer(ends.byteLength))
  sharedEnds.set(ends)
  const per = Math.ceil(n / threads)
  const jobs: Promise<EntryDetail[]>[] = []
  for (let from = 0; from < n; from += per) {
    const workerData = {
      bytes: shared,
      starts: sharedStarts,
      ends: sharedEnds,
      from,
      to: Math.min(n, from + per),
      table,
      out,
    }
    jobs.push(
      new Promise((resolve, reject) => {
        const worker = new Worker(workerFile, { workerData })
        worker.once('message', (details: EntryDetail[]) => {
          resolve(details)
          void worker.terminate()
        })
        worker.once('error', reject)
        worker.once('exit', (code) => {
          if (code !== 0) reject(new Error(`verify worker exited with code ${code}`))
        })
      }),
    )
  }
  return (await Promise.all(jobs)).flat()
}

function keyWindowErrors(
  results: EntryResults,
  trusted: TrustedKey[],
  at: (i: number) => { seq: number | null; line: number },
): VerifyError[] {
  const errors: VerifyError[] = []
  for (let i = 0; i < results.status.length; i++) {
    if (results.status[i] !== EntryStatus.ok) continue
    const record = trusted[results.kidIndex[i] as number]?.record
    if (!record) continue
    const problem = keyWindowProblem(record, new Date(results.tsMs[i] as number).toISOString())
    if (problem) errors.push({ ...at(i), ...problem })
  }
  return errors
}

/**
 * Seq continuity. Each entry should carry the seq after the highest seen so far: an earlier seq seen
 * before is a duplicate; a lower one not seen is late (reorder); a higher one is early (reorder) when the
 * seq it skipped appears later, and otherwise a gap (entries deleted).
 */
function sequenceErrors(seqs: Float64Array, n: number): VerifyError[] {
  const errors: VerifyError[] = []
  const remaining = new Map<number, number>()
  for (let i = 0; i < n; i++) {
    const s = seqs[i] as number
    if (!Number.isNaN(s)) remaining.set(s, (remaining.get(s) ?? 0) + 1)
  }
  const seen = new Set<number>()
  let max = -1
  for (let i = 0; i < n; i++) {
    const s = seqs[i] as number
    if (Number.isNaN(s)) continue
    remaining.set(s, (remaining.get(s) ?? 1) - 1)
    const where = { seq: s, line: i + 1 }
    if (seen.has(s)) {
      errors.push({
        ...where,
        kind: 'duplicate',
        message: `seq ${s} appears again (first seen earlier in the log)`,
      })
      continue
    }
    seen.add(s)
    if (s === max + 1) {
      max = s
    } else if (s < max) {
      errors.push({ ...where, kind: 'reorder', message: `seq ${s} comes after seq ${max}` })
    } else {
      const expected = max + 1
      if ((remaining.get(expected) ?? 0) > 0) {
        errors.push({ ...where, kind: 'reorder', message: `seq ${s} comes before seq ${expected}` })
      } else {
        const missing = s - expected
        errors.push({
          ...where,
          kind: 'gap',
          message: `${missing} entr${missing === 1 ? 'y' : 'ies'} missing before seq ${s} (expected seq ${expected})`,
        })
      }
      max = s
    }
  }
  return errors
}

function checkpointErrors(
  stored: ReturnType<typeof listCheckpoints>,
  trusted: TrustedKey[],
  tree: MerkleCache,
): VerifyError[] {
  const errors: VerifyError[] = []
  const verifiers = trusted.map((t) => t.verifier)
  const good: Array<{ size: number; origin: string; root: Buffer; file: string }> = []
  for (const c of stored) {
    const fail = (kind: VerifyErrorKind, message: string) =>
      errors.push({ seq: null, line: null, kind, message, file: c.path })
    let text: string
    try {
      const opened = openNote(c.note, verifiers)
      if (opened.failed.length > 0) {
        fail(
          'checkpoint-signature',
          `checkpoint ${c.size}: the signature of ${opened.failed.map((s) => s.label).join(', ')} does not verify`,
        )
        continue
      }
      if (opened.verified.length === 0) {
        const names = opened.unknown.map((s) => s.label).join(', ')
        fail(
          'checkpoint-signature',
          `checkpoint ${c.size}: no trusted key signed it (signed by ${names || 'nobody'})`,
        )
        continue
      }
      text = opened.text
    } catch (error) {
      fail('bad-checkpoint', `checkpoint ${c.size}: ${(error as Error).message}`)
      continue
    }
    let body: ReturnType<typeof parseCheckpoint>
    try {
      body = parseCheckpoint(text, c.path)
    } catch (error) {
      fail('bad-checkpoint', (error as Error).message)
      continue
    }
    if (body.size !== c.size) {
      fail('checkpoint-mismatch', `checkpoint file ${c.size}.note says size ${body.size}`)
      continue
    }
    if (body.size > tree.count) {
      fail(
        'truncated-log',
        `checkpoint ${body.size} vouches for ${body.size} entries but the log has ${tree.count}: entries were removed from the end`,
      )
      continue
    }
    if (!tree.subtree(0, body.size).equals(body.root)) {
      fail(
        'checkpoint-mismatch',
        `checkpoint ${body.size}: its root does not match the log's first ${body.size} entries (an entry at or before seq ${body.size - 1} changed)`,
      )
    }
    good.push({ size: body.size, origin: body.origin, root: body.root, file: c.path })
  }
  // Each checkpoint must extend the one before it: the RFC 9162 consistency proof, built from this log,
  // must lead from the older root to the newer. It fails when either no longer describes this log.
  for (let k = 1; k < good.length; k++) {
    const a = good[k - 1] as (typeof good)[number]
    const b = good[k] as (typeof good)[number]
    const problem =
      a.origin !== b.origin
        ? `checkpoint ${b.size} names origin "${b.origin}" but checkpoint ${a.size} names "${a.origin}": two logs mixed in one directory`
        : !verifyConsistency(a.size, b.size, consistencyProof(tree, a.size, b.size), a.root, b.root)
          ? `checkpoints ${a.size} and ${b.size} are not consistent through this log (the RFC 9162 consistency proof fails): history before seq ${b.size} was rewritten`
          : null
    if (problem)
      errors.push({ seq: null, line: null, kind: 'checkpoint-inconsistent', message: problem, file: b.file })
  }
  return errors
}
