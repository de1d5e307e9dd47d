import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ExitCode, GoblinError } from '../core/errors.js'
import { type Checkpoint, formatCheckpoint, parseCheckpoint } from './checkpoint.js'
import { makeDirDurably, writeFileDurably } from './durable-file.js'
import { acquireFileLock } from './file-lock.js'
import { ledgerPaths, readLedgerSnapshot, splitLedgerLines } from './ledger.js'
import { ledgerSnapshotSize, readLedgerLines } from './ledger-reader.js'
import { type LeafHashes, leafHash, TreeBuilder } from './merkle.js'
import { type NoteSigner, openNote, signNote } from './signed-note.js'
import { LATEST_CHECKPOINT_FILE, TileWriter } from './tile-store.js'
import { MAX_ENTRY_BYTES, TileBuilder } from './tiles.js'

/**
 * Checkpoints live in the ledger directory as `checkpoints/<size>.note`: each a C2SP signed note whose
 * text is a tlog-checkpoint body. Anchoring (src/anchor/) and verification read them through this module.
 */

export interface StoredCheckpoint {
  /** The size its file name claims (verify checks it against the body). */
  size: number
  path: string
  /** The signed note, verbatim. */
  note: string
}

/** Every stored checkpoint, smallest size first. */
export function listCheckpoints(ledgerDir: string): StoredCheckpoint[] {
  const dir = ledgerPaths(ledgerDir).checkpoints
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((name) => /^(0|[1-9][0-9]*)\.note$/.test(name))
    .map((name) => ({ size: Number(name.slice(0, -'.note'.length)), path: join(dir, name) }))
    .sort((a, b) => a.size - b.size)
    .map((c) => ({ ...c, note: readFileSync(c.path, 'utf8') }))
}

/** The checkpoint with the largest size, parsed (signatures are not checked here), or null. */
export function latestCheckpoint(ledgerDir: string): (StoredCheckpoint & { checkpoint: Checkpoint }) | null {
  const latest = listCheckpoints(ledgerDir).at(-1)
  if (!latest) return null
  const split = latest.note.lastIndexOf('\n\n')
  return { ...latest, checkpoint: parseCheckpoint(latest.note.slice(0, split + 1), latest.path) }
}

/** The leaf hashes of every complete ledger line, read from a consistent snapshot. */
export async function ledgerLeafHashes(
  ledgerDir: string,
): Promise<{ leaves: LeafHashes; tornLine: number | null }> {
  const bytes = await readLedgerSnapshot(ledgerDir)
  const lines = splitLedgerLines(bytes)
  const packed = Buffer.allocUnsafe(lines.count * 32)
  for (let i = 0; i < lines.count; i++) {
    packed.set(leafHash(bytes.subarray(lines.starts[i], lines.ends[i])), i * 32)
  }
  return { leaves: { bytes: packed, count: lines.count }, tornLine: lines.torn?.line ?? null }
}

/** The root of the ledger's first `size` entries, streamed; null when the log has fewer. */
export async function prefixRoot(ledgerDir: string, size: number): Promise<Buffer | null> {
  const tree = new TreeBuilder()
  if (size === 0) return tree.root()
  for await (const chunk of readLedgerLines(ledgerDir, await ledgerSnapshotSize(ledgerDir))) {
    for (let j = 0; j < chunk.count && tree.count < size; j++)
      tree.push(leafHash(chunk.bytes.subarray(chunk.starts[j], chunk.ends[j])))
    if (tree.count === size) return tree.root()
  }
  return null
}

export interface CreatedCheckpoint {
  origin: string
  size: number
  /** The size of the checkpoint before this one (0 for the first): what a witness last saw, likely. */
  previousSize: number
  /** Base64, as in the checkpoint body. */
  root: string
  note: string
  path: string
}

/**
 * Signs a checkpoint for the ledger's current size and stores it, with the C2SP tiles of that size:
 * the log is streamed once, each full tile not yet stored is written as it completes, then the partial
 * tiles, then (all synced) `checkpoints/<size>.note`, and last, under the ledger lock, the `checkpoint`
 * file that publishes them. Refuses when the ledger has a torn last line, or no longer matches the
 * latest stored checkpoint (signing would bless a rewritten log).
 */
export async function createCheckpoint(
  ledgerDir: string,
  signer: NoteSigner,
  origin: string,
): Promise<CreatedCheckpoint> {
  const previous = latestCheckpoint(ledgerDir)
  const size = await ledgerSnapshotSize(ledgerDir)
  const tree = new TreeBuilder()
  const writer = new TileWriter(ledgerDir)
  const tiles = new TileBuilder((tile) => writer.write(tile))
  let previousRoot: Buffer | null = previous?.checkpoint.size === 0 ? tree.root() : null
  const lines = readLedgerLines(ledgerDir, size)
  for (;;) {
    const next = await lines.next()
    if (next.done) {
      if (next.value)
        throw new GoblinError(
          'AUDIT_TORN_LINE',
          `${ledgerPaths(ledgerDir).log}:${next.value.line}: the last line is incomplete`,
          { hint: 'Run goblin audit repair first.', exit: ExitCode.notOk },
        )
      break
    }
    const chunk = next.value
    for (let j = 0; j < chunk.count; j++) {
      const entry = chunk.bytes.subarray(chunk.starts[j], chunk.ends[j])
      const leaf = leafHash(entry)
      if (entry.length > MAX_ENTRY_BYTES)
        throw new GoblinError(
          'AUDIT_ENTRY_OVERSIZE',
          `${ledgerPaths(ledgerDir).log}:${chunk.first + j + 1}: an entry of ${entry.length} bytes does not fit a tile bundle (at most ${MAX_ENTRY_BYTES})`,
          { hint: 'Run goblin audit verify; goblin never writes such an entry.', exit: ExitCode.notOk },
        )
      tree.push(leaf)
      tiles.push(entry, leaf)
      if (tree.count === previous?.checkpoint.size) previousRoot = tree.root()
    }
  }
  if (previous && !previousRoot?.equals(previous.checkpoint.root))
    throw new GoblinError(
      'AUDIT_CHECKPOINT_MISMATCH',
      `the ledger no longer matches its checkpoint at size ${previous.checkpoint.size} (${previous.path})`,
      {
        hint: 'Run goblin audit verify to see what changed; do not checkpoint a rewritten log.',
        exit: ExitCode.notOk,
      },
    )
  for (const tile of tiles.partials()) writer.write(tile)
  await writer.finish()
  const root = tree.root()
  const note = signNote(formatCheckpoint({ origin, size: tree.count, root }), [signer])
  // Verify what we are about to store, so a key/file mix-up never writes an unverifiable checkpoint.
  if (openNote(note, [signer]).verified.length !== 1)
    throw new Error('freshly signed checkpoint does not verify')
  const dir = ledgerPaths(ledgerDir).checkpoints
  makeDirDurably(dir)
  const path = join(dir, `${tree.count}.note`)
  writeFileDurably(path, note)
  await publishLatest(ledgerDir, note, tree.count)
  return {
    origin,
    size: tree.count,
    previousSize: previous?.checkpoint.size ?? 0,
    root: root.toString('base64'),
    note,
    path,
  }
}

/**
 * Replaces `<ledger>/checkpoint` with `note` unless it already holds a larger checkpoint (two
 * checkpointers racing never move it back), under the ledger lock.
 */
export async function publishLatest(ledgerDir: string, note: string, size: number): Promise<void> {
  const lock = await acquireFileLock(ledgerPaths(ledgerDir).lock)
  try {
    const path = join(ledgerDir, LATEST_CHECKPOINT_FILE)
    if (existsSync(path)) {
      const current = readFileSync(path, 'utf8')
      const sizeLine = current.split('\n')[1]
      if (sizeLine !== undefined && Number(sizeLine) > size) return
    }
    writeFileDurably(path, note)
  } finally {
    lock.release()
  }
}
