import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ExitCode, GoblinError } from '../core/errors.js'
import { type Checkpoint, formatCheckpoint, parseCheckpoint } from './checkpoint.js'
import { makeDirDurably, writeFileDurably } from './durable-file.js'
import { acquireFileLock } from './file-lock.js'
import { ledgerPaths, readLedgerSnapshot, splitLedgerLines } from './ledger.js'
import { ledgerSnapshotSize, readLedgerLines } from './ledger-reader.js'
import { EMPTY_ROOT, HASH_BYTES, type LeafHashes, leafHash, TreeBuilder } from './merkle.js'
import { type NoteSigner, openNote, signNote } from './signed-note.js'
import { LATEST_CHECKPOINT_FILE, readStoredTile, TileWriter } from './tile-store.js'
import {
  type BuiltTile,
  hashFromTiles,
  MAX_ENTRY_BYTES,
  TILE_WIDTH,
  TileBuilder,
  tilePath,
  tilesForSize,
} from './tiles.js'

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
 * Signs a checkpoint for the ledger's current size and stores it, with the C2SP tiles of that size. It
 * carries on from the tiles of the latest stored checkpoint: the right edge of that tree (the partial
 * tile of each level; full tiles never change) is read back and must hash to that checkpoint's signed
 * root, then only the entries from the start of its last entry bundle on are hashed; those up to its size
 * must match its stored leaf hashes (earlier entries are not re-read: `audit verify` checks them, and the
 * tree signed extends the one signed before whatever the log now holds, so a rewritten prefix is never
 * signed). When that edge is missing or does not hash to the root (tiles never
 * written, lost or damaged), the tiles are rebuilt from the whole log instead, a stored tile that differs
 * being replaced, once the log's prefix hashes to the signed root. Each new full tile is written as it
 * completes, then the partial tiles, then (all synced) `checkpoints/<size>.note`, and last, under the
 * ledger lock, the `checkpoint` file that publishes them. A crash before the note leaves the previous
 * checkpoint and its tiles as they were. Refuses when the ledger has a torn last line, or no longer
 * matches the latest stored checkpoint (signing would bless a rewritten log).
 */
export async function createCheckpoint(
  ledgerDir: string,
  signer: NoteSigner,
  origin: string,
): Promise<CreatedCheckpoint> {
  const previous = latestCheckpoint(ledgerDir)?.checkpoint ?? null
  const size = await ledgerSnapshotSize(ledgerDir)
  const edge = previous ? storedRightEdge(ledgerDir, previous) : null
  const writer = new TileWriter(ledgerDir, { repair: (previous?.size ?? 0) > 0 && edge === null })
  const onTile = (tile: BuiltTile) => writer.write(tile)
  const tiles = edge ? TileBuilder.resume(edge.size, edge.partial, onTile) : new TileBuilder(onTile)
  const from = tiles.count
  // Whether the log still holds the previous checkpoint's tree (as far as it is re-read): known once
  // its size is reached.
  let previousMatches = previous === null || (previous.size === 0 && previous.root.equals(EMPTY_ROOT))
  const mismatch = () =>
    new GoblinError(
      'AUDIT_CHECKPOINT_MISMATCH',
      `the ledger no longer matches its checkpoint at size ${previous?.size} (${ledgerPaths(ledgerDir).checkpoints}/${previous?.size}.note)`,
      {
        hint: 'Run goblin audit verify to see what changed; do not checkpoint a rewritten log.',
        exit: ExitCode.notOk,
      },
    )
  let lineCount = 0
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
    lineCount = chunk.first + chunk.count
    for (let j = Math.max(0, from - chunk.first); j < chunk.count; j++) {
      const entry = chunk.bytes.subarray(chunk.starts[j], chunk.ends[j])
      const leaf = leafHash(entry)
      if (entry.length > MAX_ENTRY_BYTES)
        throw new GoblinError(
          'AUDIT_ENTRY_OVERSIZE',
          `${ledgerPaths(ledgerDir).log}:${chunk.first + j + 1}: an entry of ${entry.length} bytes does not fit a tile bundle (at most ${MAX_ENTRY_BYTES})`,
          { hint: 'Run goblin audit verify; goblin never writes such an entry.', exit: ExitCode.notOk },
        )
      if (edge && tiles.count < edge.size) {
        const at = (tiles.count - from) * HASH_BYTES
        if (!edge.leaves.subarray(at, at + HASH_BYTES).equals(leaf)) throw mismatch()
      }
      tiles.push(entry, leaf)
      if (tiles.count === previous?.size) {
        if (!edge) {
          if (!tiles.root().equals(previous.root)) throw mismatch()
          // A rebuild also restores the previous checkpoint's partial tiles.
          for (const tile of tiles.partials()) writer.write(tile)
        }
        previousMatches = true
      }
    }
  }
  if (edge && edge.size === from && lineCount >= from) previousMatches = true
  if (!previousMatches) throw mismatch()
  for (const tile of tiles.partials()) writer.write(tile)
  await writer.finish()
  const root = tiles.root()
  const note = signNote(formatCheckpoint({ origin, size: tiles.count, root }), [signer])
  // Verify what we are about to store, so a key/file mix-up never writes an unverifiable checkpoint.
  if (openNote(note, [signer]).verified.length !== 1)
    throw new Error('freshly signed checkpoint does not verify')
  const dir = ledgerPaths(ledgerDir).checkpoints
  makeDirDurably(dir)
  const path = join(dir, `${tiles.count}.note`)
  writeFileDurably(path, note)
  await publishLatest(ledgerDir, note, tiles.count)
  return {
    origin,
    size: tiles.count,
    previousSize: previous?.size ?? 0,
    root: root.toString('base64'),
    note,
    path,
  }
}

/**
 * The right edge of the stored tiles of `checkpoint`'s tree: the partial hash tile of each level, read
 * back and checked to hash to its signed root (so a tile lost or damaged is never built on), and the
 * leaf hashes of its last, partial, entry bundle. Null when a tile is missing, of the wrong length, or
 * the edge does not hash to the root: the caller rebuilds from the log.
 */
function storedRightEdge(
  ledgerDir: string,
  checkpoint: Checkpoint,
): { size: number; partial: (level: number) => Buffer | undefined; leaves: Buffer } | null {
  const { size, root } = checkpoint
  if (size === 0) return null
  const stored = new Map<string, Buffer>()
  const byLevel: Buffer[] = []
  for (const coord of tilesForSize(size)) {
    if (coord.level === 'entries' || coord.width === TILE_WIDTH) continue
    const bytes = readStoredTile(ledgerDir, coord)
    if (!bytes || bytes.length !== coord.width * HASH_BYTES) return null
    stored.set(tilePath(coord), bytes)
    byLevel[coord.level] = bytes
  }
  if (!hashFromTiles(stored, size, [0, size]).equals(root)) return null
  return { size, partial: (level) => byLevel[level], leaves: byLevel[0] ?? Buffer.alloc(0) }
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
