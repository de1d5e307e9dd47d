import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { usageError } from '../core/errors.js'
import { type Checkpoint, openCheckpoint } from './checkpoint.js'
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
import { ledgerPaths, type TornTail } from './ledger.js'
import { type LineChunk, ledgerSnapshotSize, readLedgerLines } from './ledger-reader.js'
import {
  consistencyProofRanges,
  EMPTY_ROOT,
  HASH_BYTES,
  type LeafRange,
  TreeBuilder,
  verifyConsistency,
} from './merkle.js'
import { checkQuorum, type Policy } from './policy.js'
import type { NoteVerifier } from './signed-note.js'
import { LATEST_CHECKPOINT_FILE, StoredTileReader } from './tile-store.js'
import { type BuiltTile, TILE_WIDTH, TileBuilder, tilePath } from './tiles.js'
import { loadReferences, type Reference, remember } from './verifier-state.js'

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
  | 'log-rolled-back'
  | 'checkpoint-vanished'
  | 'checkpoint-mismatch'
  | 'checkpoint-signature'
  | 'checkpoint-origin'
  | 'checkpoint-inconsistent'
  | 'bad-checkpoint'
  | 'tile-mismatch'
  | 'not-included'
  | 'checkpoint-quorum'
  | 'cosignature-invalid'

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
  /** The checkpoint this verification extends from (remembered, or --since-checkpoint), if any. */
  since: { size: number; root: string; from: string } | null
  /** The checkpoint now remembered for the log's origin (when state is kept and everything verified). */
  remembered: { origin: string; size: number } | null
  errors: VerifyError[]
}

/** A key verification trusts: with its keyring record (validity window), or bare (from --key, no window). */
export interface TrustedKey {
  verifier: NoteVerifier
  record: KeyRecord | null
}

/**
 * One thread by default: it keeps `audit verify` under 150 MB at any log size (issue 16); each worker
 * thread adds its own V8 isolate and malloc arena, so two exceed it (bench/README.md).
 */
export const DEFAULT_THREADS = 1

/** Below this many bytes of log a single thread is faster than starting workers. */
export const PARALLEL_THRESHOLD_BYTES = 1024 * 1024

export interface VerifyOptions {
  /**
   * Threads that check signatures (default 1, in process). More run that many worker threads, each
   * adding about 17 MB at peak (bench/README.md), for up to that many times the speed on free cores.
   */
  threads?: number
  /** The origins a checkpoint may name (`--origin`, `audit.origin`); any other is refused. Default: any. */
  origins?: string[]
  /**
   * Where verified checkpoints are remembered (GOBLIN_HOME/verified): the log must extend the one
   * remembered for its origin, and the largest checkpoint verified now is remembered. Needs `origins`.
   */
  stateDir?: string
  /** A checkpoint seen before (`--since-checkpoint FILE`): the current checkpoint must extend it. */
  since?: { note: string; file: string }
  /** Bytes of log read at a time (tests make it small to cross chunk boundaries). */
  chunkBytes?: number
  /** A c2sp.org/tlog-policy: the latest checkpoint must carry its quorum of witness cosignatures. */
  policy?: Policy
  /** Called after each chunk of the log is checked: entries so far, bytes read, bytes in all. */
  onProgress?: (progress: { entries: number; bytes: number; totalBytes: number }) => void
}

/** A checkpoint that passed its signature and origin checks. */
interface GoodCheckpoint {
  checkpoint: Checkpoint
  file: string
  note: string
}

/**
 * Checks the whole ledger, streaming it in chunks so memory stays flat however long the log: every
 * entry's form and signature under the key valid at its time, seq continuity, the Merkle tree, every
 * stored checkpoint (signature, origin, size, root), and, against what was verified before (state, or
 * `since`), that the log was not cut back, that no remembered checkpoint vanished, and that the current
 * checkpoint is consistent with it (RFC 9162 consistency proof). Reports every problem, not just the
 * first. With `threads` above 1, signature checks of large logs run on that many worker threads.
 */
export async function verifyLedger(
  ledgerDir: string,
  trusted: TrustedKey[],
  options: VerifyOptions = {},
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
  const verifiers = trusted.map((t) => t.verifier)
  const errors: VerifyError[] = []
  const fileError = (kind: VerifyErrorKind, message: string, file: string) =>
    errors.push({ seq: null, line: null, kind, message, file })

  const good: GoodCheckpoint[] = []
  for (const c of stored) {
    const opened = openCheckpoint(c.note, verifiers, options.origins, `checkpoint ${c.size}`)
    if (!opened.ok) fileError(opened.kind, opened.message, c.path)
    else if (opened.checkpoint.size !== c.size)
      fileError(
        'checkpoint-mismatch',
        `checkpoint file ${c.size}.note says size ${opened.checkpoint.size}`,
        c.path,
      )
    else good.push({ checkpoint: opened.checkpoint, file: c.path, note: c.note })
  }
  const references = loadReferences(options, options.origins, verifiers, (message, file) =>
    fileError('checkpoint-signature', message, file),
  )

  // Sizes whose prefix root the stream must record, and the consistency proofs it must build.
  const wanted = new Set<number>([...good, ...references].map((c) => c.checkpoint.size))
  const proofs = references.map((r) => {
    const target = latestFor(good, r.checkpoint.origin)
    const ranges =
      target && target.checkpoint.size >= r.checkpoint.size
        ? consistencyProofRanges(r.checkpoint.size, target.checkpoint.size)
        : []
    return { reference: r, target, ranges }
  })
  const hashers = new RangeHashers(proofs.flatMap((p) => p.ranges))

  const tree = new TreeBuilder()
  const roots = new Map<number, Buffer>([[0, Buffer.from(EMPTY_ROOT)]])
  const seqs = new SeqTracker()
  const latestSize = good.at(-1)?.checkpoint.size ?? 0
  const tiles = existsSync(join(ledgerDir, 'tile'))
    ? new TileCheck(ledgerDir, latestSize, (message, file) => fileError('tile-mismatch', message, file))
    : null
  const fold = (chunk: LineChunk, results: EntryResults, details: EntryDetail[]) => {
    const byIndex = new Map(details.map((d) => [d.index, d.message]))
    for (let j = 0; j < chunk.count; j++) {
      const line = chunk.first + j + 1
      const leaf = results.leaves.subarray(j * HASH_BYTES, (j + 1) * HASH_BYTES)
      hashers.push(chunk.first + j, leaf)
      tree.push(leaf)
      tiles?.push(chunk.bytes.subarray(chunk.starts[j], chunk.ends[j]), leaf)
      if (wanted.has(tree.count)) {
        roots.set(tree.count, tree.root())
        tiles?.checkPartials(tree.count === latestSize)
      }
      const seq = results.seq[j] as number
      const at = { seq: Number.isNaN(seq) ? null : seq, line }
      const status = results.status[j] as number
      if (status !== EntryStatus.ok) {
        errors.push({ ...at, kind: STATUS_KINDS[status] ?? 'modified-entry', message: byIndex.get(j) ?? '' })
      } else {
        const record = trusted[results.kidIndex[j] as number]?.record
        const problem = record && keyWindowProblem(record, new Date(results.tsMs[j] as number).toISOString())
        if (problem) errors.push({ ...at, ...problem })
      }
      if (!Number.isNaN(seq)) {
        const problem = seqs.see(seq, line)
        if (problem) errors.push(problem)
      }
    }
  }

  const size = await ledgerSnapshotSize(ledgerDir)
  const table: KeyTable = {
    kids: trusted.map((t) => keyId(t.verifier)),
    publicKeys: verifiers.map((v) => v.publicKey),
  }
  const threads = Math.max(1, options.threads ?? DEFAULT_THREADS)
  const workerFile = fileURLToPath(new URL('./verify-worker.js', import.meta.url))
  // Running from TypeScript sources (tests) there is no compiled worker: the same checks run in-process.
  const pool =
    threads > 1 && size >= PARALLEL_THRESHOLD_BYTES && existsSync(workerFile)
      ? new CheckPool(workerFile, threads)
      : null
  const inProcess = new InProcessCheck(table)
  let torn: TornTail | null = null
  let read = 0
  try {
    const lines = readLedgerLines(ledgerDir, size, options.chunkBytes)
    // With workers, chunk k+1 is being checked while chunk k is folded into the tree.
    let inFlight: Promise<() => void> | null = null
    for (;;) {
      const next = await lines.next()
      if (next.done) {
        torn = next.value
        break
      }
      const chunk = next.value
      const foldAndReport = (c: LineChunk, results: EntryResults, details: EntryDetail[]) => {
        fold(c, results, details)
        // Each line and its newline (a chunk's bytes may also hold the start of the next line).
        for (let j = 0; j < c.count; j++) read += (c.ends[j] as number) - (c.starts[j] as number) + 1
        options.onProgress?.({ entries: tree.count, bytes: read, totalBytes: size })
      }
      const checked: Promise<() => void> = pool
        ? pool.check(chunk, table).then(
            ({ results, details }) =>
              () =>
                foldAndReport(chunk, results, details),
          )
        : Promise.resolve(inProcess.check(chunk, foldAndReport))
      if (inFlight) (await inFlight)()
      inFlight = checked
    }
    if (inFlight) (await inFlight)()
  } finally {
    pool?.close()
  }
  const n = tree.count
  errors.push(...seqs.finish())
  const tornTail = torn as TornTail | null
  if (tornTail)
    errors.push({
      seq: null,
      line: tornTail.line,
      kind: 'torn-line',
      message: `the last line is incomplete (${tornTail.bytes} bytes without a newline: a crash mid-append); goblin audit repair sets it aside`,
    })

  for (const g of good) {
    const { size: s, root } = g.checkpoint
    const computed = roots.get(s)
    if (!computed)
      fileError(
        'truncated-log',
        `checkpoint ${s} vouches for ${s} entries but the log has ${n}: entries were removed from the end`,
        g.file,
      )
    else if (!computed.equals(root))
      fileError(
        'checkpoint-mismatch',
        `checkpoint ${s}: its root ${root.toString('hex')} does not match the log's first ${s} entries (${computed.toString('hex')}): an entry at or before seq ${s - 1} changed`,
        g.file,
      )
  }
  errors.push(...publishedErrors(ledgerDir, verifiers, options.origins, good))
  const latest = good.at(-1)
  if (options.policy && latest) {
    const quorum = checkQuorum(options.policy, latest.note)
    for (const f of quorum.failed)
      fileError('cosignature-invalid', `the cosignature of ${f.label} does not verify`, latest.file)
    if (!quorum.ok && quorum.failed.length === 0)
      fileError(
        'checkpoint-quorum',
        `checkpoint ${latest.checkpoint.size} is cosigned by ${quorum.witnessed.join(', ') || 'no witness of the policy'}, which does not meet quorum ${options.policy.quorum}`,
        latest.file,
      )
  }
  for (const { reference, target, ranges } of proofs)
    errors.push(...referenceErrors(reference, target, ranges, hashers, roots, good, n))
  errors.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER))

  const ok = errors.length === 0
  const first = references[0]
  const report: VerifyReport = {
    ok,
    entries: n,
    checkpoints: stored.length,
    root: tree.root().toString('hex'),
    since: first
      ? { size: first.checkpoint.size, root: first.checkpoint.root.toString('hex'), from: first.from }
      : null,
    remembered: null,
    errors,
  }
  if (ok && options.stateDir && options.origins) {
    for (const origin of options.origins) {
      const latest = latestFor(good, origin)
      if (!latest) continue
      const known = references.find((r) => r.remembered && r.checkpoint.origin === origin)
      remember(options.stateDir, origin, latest.note, latest.checkpoint.size, known?.checkpoint.size ?? -1)
      report.remembered = { origin, size: Math.max(latest.checkpoint.size, known?.checkpoint.size ?? 0) }
    }
  }
  return report
}

/**
 * The ledger's tiles against the log as it streams: each full tile, when it completes, must equal the
 * stored one (and exist, when the latest checkpoint covers it), and the partial tiles of each checkpoint
 * size must equal what is stored (and exist for the latest).
 */
class TileCheck {
  private readonly builder: TileBuilder
  private readonly stored: StoredTileReader

  constructor(
    private readonly ledgerDir: string,
    private readonly latestSize: number,
    private readonly fail: (message: string, file: string) => void,
  ) {
    this.builder = new TileBuilder((tile) => this.compare(tile, tileEnd(tile.coord) <= latestSize))
    this.stored = new StoredTileReader(ledgerDir)
  }

  push(entry: Uint8Array, leaf: Uint8Array): void {
    this.builder.push(entry, leaf)
  }

  checkPartials(required: boolean): void {
    for (const tile of this.builder.partials()) this.compare(tile, required)
  }

  private compare(tile: BuiltTile, required: boolean): void {
    const stored = this.stored.read(tile.coord)
    const file = join(this.ledgerDir, tilePath(tile.coord))
    if (stored === null) {
      if (required)
        this.fail(`${tilePath(tile.coord)} is missing: checkpoint ${this.latestSize} publishes it`, file)
    } else if (!stored.equals(tile.bytes))
      this.fail(`${tilePath(tile.coord)} does not match the log: a tile was changed or the log was`, file)
  }
}

/** The entry index a full tile's hashes end at. */
function tileEnd(coord: BuiltTile['coord']): number {
  return (coord.index + 1) * TILE_WIDTH * (coord.level === 'entries' ? 1 : TILE_WIDTH ** coord.level)
}

/** `<ledger>/checkpoint` (what a tile reader trusts first) must be one of the stored checkpoints, verified. */
function publishedErrors(
  ledgerDir: string,
  verifiers: NoteVerifier[],
  origins: string[] | undefined,
  good: GoodCheckpoint[],
): VerifyError[] {
  const file = join(ledgerDir, LATEST_CHECKPOINT_FILE)
  if (!existsSync(file)) return []
  const opened = openCheckpoint(readFileSync(file, 'utf8'), verifiers, origins, file)
  if (!opened.ok) return [{ seq: null, line: null, kind: opened.kind, message: opened.message, file }]
  const { size, root } = opened.checkpoint
  const same = good.find((g) => g.checkpoint.size === size)
  if (same?.checkpoint.root.equals(root)) return []
  return [
    same
      ? {
          seq: null,
          line: null,
          kind: 'checkpoint-mismatch',
          message: `it publishes size ${size} with root ${root.toString('hex')}, not the root of the stored checkpoint ${size}`,
          file,
        }
      : {
          seq: null,
          line: null,
          kind: 'checkpoint-vanished',
          message: `it publishes checkpoint ${size}, which is gone from checkpoints/ (goblin never deletes one)`,
          file,
        },
  ]
}

const STATUS_KINDS: Record<number, VerifyErrorKind> = {
  [EntryStatus.modified]: 'modified-entry',
  [EntryStatus.unknownKey]: 'unknown-key',
  [EntryStatus.badSignature]: 'bad-signature',
}

function keyId(verifier: NoteVerifier): string {
  return `${verifier.name}+${verifier.keyId.toString(16).padStart(8, '0')}`
}

function latestFor(good: GoodCheckpoint[], origin: string): GoodCheckpoint | undefined {
  return good.filter((g) => g.checkpoint.origin === origin).at(-1)
}

/**
 * What a checkpoint seen before says about the log now: a log shorter than it was cut back; its
 * checkpoint file gone (goblin never deletes one) vanished; and the current checkpoint must extend it,
 * by an RFC 9162 consistency proof built from this log and checked against the two signed roots (the
 * old one kept outside the ledger directory, so rewriting both log and checkpoints cannot hide it).
 */
function referenceErrors(
  reference: Reference,
  target: GoodCheckpoint | undefined,
  ranges: LeafRange[],
  hashers: RangeHashers,
  roots: Map<number, Buffer>,
  good: GoodCheckpoint[],
  n: number,
): VerifyError[] {
  const { size, root, origin } = reference.checkpoint
  const errors: VerifyError[] = []
  const err = (kind: VerifyErrorKind, message: string, file = reference.file) =>
    errors.push({ seq: null, line: null, kind, message, file })
  const seen = `checkpoint ${size} of ${origin} (${reference.from})`
  if (n < size)
    err('log-rolled-back', `the log has ${n} entries but ${seen} vouched for ${size}: the log was cut back`)
  if (reference.remembered) {
    const same = good.find((g) => g.checkpoint.origin === origin && g.checkpoint.size === size)
    if (!same && size > 0)
      err(
        'checkpoint-vanished',
        `${seen} is no longer in checkpoints/ (goblin never deletes one): it was removed`,
      )
  }
  if (target && target.checkpoint.size >= size) {
    const proof = ranges.map((r) => hashers.hash(r))
    const check = verifyConsistency(size, target.checkpoint.size, proof, root, target.checkpoint.root)
    if (!check.ok)
      err(
        'checkpoint-inconsistent',
        `checkpoint ${target.checkpoint.size} does not extend ${seen}: ${check.reason} (a fork: history before seq ${size} differs from what was verified)`,
        target.file,
      )
  } else if (n >= size) {
    const computed = roots.get(size) as Buffer
    if (!computed.equals(root))
      err(
        'checkpoint-inconsistent',
        `the log's first ${size} entries hash to ${computed.toString('hex')}, not the root ${root.toString('hex')} of ${seen} (a fork)`,
      )
  }
  return errors
}

/**
 * Subtree hashes of leaf ranges, computed as the leaves stream past: each range is folded by its own
 * TreeBuilder, so a consistency proof costs one extra hash per leaf it covers and no stored tree.
 */
class RangeHashers {
  private readonly pending: Array<{ range: LeafRange; builder: TreeBuilder }>
  private readonly done = new Map<string, Buffer>()
  private active: Array<{ range: LeafRange; builder: TreeBuilder }> = []

  constructor(ranges: LeafRange[]) {
    this.pending = ranges
      .map((range) => ({ range, builder: new TreeBuilder() }))
      .sort((a, b) => b.range[0] - a.range[0])
  }

  push(index: number, leaf: Uint8Array): void {
    while (this.pending.length > 0 && (this.pending.at(-1) as { range: LeafRange }).range[0] === index)
      this.active.push(this.pending.pop() as { range: LeafRange; builder: TreeBuilder })
    if (this.active.length === 0) return
    for (const a of this.active) a.builder.push(Buffer.from(leaf))
    this.active = this.active.filter((a) => {
      if (index + 1 < a.range[1]) return true
      this.done.set(`${a.range[0]}-${a.range[1]}`, a.builder.root())
      return false
    })
  }

  hash(range: LeafRange): Buffer {
    const h = this.done.get(`${range[0]}-${range[1]}`)
    if (!h) throw new Error(`range ${range[0]}-${range[1]} was not streamed`)
    return h
  }
}

/**
 * Seq continuity in one pass and memory bounded by the anomalies. Each entry should carry the seq after
 * the highest seen so far: an earlier seq that was skipped is late (reorder), an earlier one not skipped
 * a duplicate; a higher one is early (reorder) when the seq it skipped appears later, else a gap
 * (entries deleted), which only the end of the log can tell, so those wait for `finish`.
 */
class SeqTracker {
  private max = -1
  /** Seqs skipped so far, as half-open ranges. */
  private missing: Array<[number, number]> = []
  private early: Array<{ seq: number; line: number; expected: number; found: boolean }> = []

  see(seq: number, line: number): VerifyError | null {
    if (seq === this.max + 1) {
      this.max = seq
      return null
    }
    if (seq > this.max) {
      this.missing.push([this.max + 1, seq])
      this.early.push({ seq, line, expected: this.max + 1, found: false })
      this.max = seq
      return null
    }
    const at = this.missing.findIndex(([a, b]) => seq >= a && seq < b)
    if (at < 0)
      return {
        seq,
        line,
        kind: 'duplicate',
        message: `seq ${seq} appears again (first seen earlier in the log)`,
      }
    const [a, b] = this.missing[at] as [number, number]
    this.missing.splice(
      at,
      1,
      ...(
        [
          [a, seq],
          [seq + 1, b],
        ] as Array<[number, number]>
      ).filter(([x, y]) => y > x),
    )
    for (const e of this.early) if (e.expected === seq) e.found = true
    return { seq, line, kind: 'reorder', message: `seq ${seq} comes after seq ${this.max}` }
  }

  finish(): VerifyError[] {
    return this.early.map(({ seq, line, expected, found }) => {
      if (found) return { seq, line, kind: 'reorder', message: `seq ${seq} comes before seq ${expected}` }
      const missing = seq - expected
      return {
        seq,
        line,
        kind: 'gap',
        message: `${missing} entr${missing === 1 ? 'y' : 'ies'} missing before seq ${seq} (expected seq ${expected})`,
      }
    })
  }
}

/**
 * Checks chunks on the main thread into two sets of results used in turn (chunk k is folded after chunk
 * k+1 is checked), grown when a chunk has more lines: fresh ones each chunk outlived a young-generation
 * collection, so their memory piled up until a full one.
 */
class InProcessCheck {
  private readonly slots: EntryResults[] = []
  private turn = 0

  constructor(private readonly table: KeyTable) {}

  check(
    chunk: LineChunk,
    fold: (chunk: LineChunk, results: EntryResults, details: EntryDetail[]) => void,
  ): () => void {
    const k = this.turn++ % 2
    let results = this.slots[k]
    if (!results || results.status.length < chunk.count) {
      results = allocateEntryResults(Math.ceil(chunk.count * 1.25), false)
      this.slots[k] = results
    }
    const out = results
    const details = checkRange(chunk.bytes, chunk.starts, chunk.ends, 0, chunk.count, this.table, out)
    return () => fold(chunk, out, details)
  }
}

/**
 * A worker's own V8 heap, kept small: what it checks lives in shared memory and it holds nothing between
 * jobs, but with the default limits each worker's heap grew (collected lazily) with the log it checked.
 */
const WORKER_HEAP = { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 }

/** Worker threads that check slices of each chunk into shared memory. */
class CheckPool {
  private readonly workers: Worker[]
  private nextId = 0
  private readonly waiting = new Map<
    number,
    { resolve: (d: EntryDetail[]) => void; reject: (e: Error) => void }
  >()

  constructor(workerFile: string, threads: number) {
    this.workers = Array.from({ length: threads }, () => {
      const worker = new Worker(workerFile, { resourceLimits: WORKER_HEAP })
      worker.on('message', ({ id, details }: { id: number; details: EntryDetail[] }) => {
        this.waiting.get(id)?.resolve(details)
        this.waiting.delete(id)
      })
      worker.on('error', (error) => {
        for (const w of this.waiting.values()) w.reject(error)
        this.waiting.clear()
      })
      return worker
    })
  }

  /**
   * Two sets of shared buffers, used in turn (one chunk is folded while the next is checked). Reused, not
   * allocated per chunk: shared memory is freed only when every worker's heap has let go of it, which an
   * idle worker's garbage collector may not do for a long time, so fresh buffers each chunk grew without
   * bound.
   */
  private readonly slots: Array<{
    bytes: Uint8Array
    starts: Float64Array
    ends: Float64Array
    results: EntryResults
    lines: number
  }> = []
  private turn = 0

  private slot(bytes: number, lines: number) {
    const k = this.turn++ % 2
    const current = this.slots[k]
    if (current && current.bytes.length >= bytes && current.lines >= lines) return current
    const capacity = Math.max(lines, current?.lines ?? 0) * 2
    const fresh = {
      bytes: new Uint8Array(new SharedArrayBuffer(Math.max(bytes, current?.bytes.length ?? 0) * 2)),
      starts: new Float64Array(new SharedArrayBuffer(capacity * 8)),
      ends: new Float64Array(new SharedArrayBuffer(capacity * 8)),
      results: allocateEntryResults(capacity, true),
      lines: capacity,
    }
    this.slots[k] = fresh
    return fresh
  }

  async check(chunk: LineChunk, table: KeyTable): Promise<{ results: EntryResults; details: EntryDetail[] }> {
    const slot = this.slot(chunk.bytes.length, chunk.count)
    const bytes = slot.bytes.subarray(0, chunk.bytes.length)
    bytes.set(chunk.bytes)
    slot.starts.set(chunk.starts)
    slot.ends.set(chunk.ends)
    const results = slot.results
    const per = Math.ceil(chunk.count / this.workers.length)
    const jobs: Promise<EntryDetail[]>[] = []
    for (let k = 0, from = 0; from < chunk.count; k++, from += per) {
      const id = this.nextId++
      const job = {
        id,
        bytes,
        starts: slot.starts,
        ends: slot.ends,
        from,
        to: Math.min(chunk.count, from + per),
        table,
        out: results,
      }
      jobs.push(
        new Promise((resolve, reject) => {
          this.waiting.set(id, { resolve, reject })
          ;(this.workers[k] as Worker).postMessage(job)
        }),
      )
    }
    return { results, details: (await Promise.all(jobs)).flat() }
  }

  close(): void {
    for (const w of this.workers) void w.terminate()
  }
}
