import { ExitCode, GoblinError } from '../core/errors.js'
import {
  EMPTY_ROOT,
  HASH_BYTES,
  type LeafRange,
  largestPowerOfTwoBelow,
  nodeHash,
  TreeBuilder,
} from './merkle.js'

/**
 * C2SP tlog-tiles (https://c2sp.org/tlog-tiles): the Merkle tree as immutable tiles of 256 hashes and the
 * entries as bundles of 256, at fixed paths any static server or bucket can serve. The tile at level l,
 * index n holds MTH(D[(n*256+i)*256^l : (n*256+i+1)*256^l]) for i = 0..255; the rightmost tiles of a tree
 * of size s are partial (`.p/<W>`, W = floor(s/256^l) mod 256). Pure functions over numbers and bytes.
 */

export const TILE_HEIGHT = 8
export const TILE_WIDTH = 256
/** Entries are length-prefixed with a big-endian uint16 in a bundle. */
export const MAX_ENTRY_BYTES = 0xffff

/** One tile: level (0..63, or 'entries' for an entry bundle), index, and width (256 when full). */
export interface TileCoord {
  level: number | 'entries'
  index: number
  width: number
}

/** The path of a tile below the log's prefix: `tile/<L>/<N>[.p/<W>]`, N as x-prefixed 3-digit groups. */
export function tilePath(tile: TileCoord): string {
  const digits = String(tile.index).padStart(3, '0')
  const groups: string[] = []
  for (let end = digits.length; end > 0; end -= 3) groups.unshift(digits.slice(Math.max(0, end - 3), end))
  // Leading groups are three digits too: 1234067 is x001/x234/067.
  groups[0] = (groups[0] as string).padStart(3, '0')
  const n = groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/')
  return `tile/${tile.level}/${n}${tile.width < TILE_WIDTH ? `.p/${tile.width}` : ''}`
}

/** Parses a tile path (the inverse of `tilePath`); null for anything else, so a server can refuse it. */
export function parseTilePath(path: string): TileCoord | null {
  const match =
    /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*)([0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(path)
  if (!match) return null
  const level: TileCoord['level'] = match[1] === 'entries' ? 'entries' : Number(match[1])
  if (typeof level === 'number' && level > 63) return null
  const groups = `${(match[2] as string).replaceAll('x', '').replaceAll('/', '')}${match[3]}`
  if (groups.length > 3 && groups.startsWith('000')) return null
  const index = Number(groups)
  const width = match[4] === undefined ? TILE_WIDTH : Number(match[4])
  if (!Number.isSafeInteger(index) || width > TILE_WIDTH || (match[4] !== undefined && width === TILE_WIDTH))
    return null
  const coord: TileCoord = { level, index, width }
  return tilePath(coord) === path ? coord : null
}

/** Every tile (hash tiles of each level, then entry bundles) a tree of `size` entries is served as. */
export function tilesForSize(size: number): TileCoord[] {
  const tiles: TileCoord[] = []
  for (let level = 0, perHash = 1; Math.floor(size / perHash) > 0; level++, perHash *= TILE_WIDTH) {
    const hashes = Math.floor(size / perHash)
    for (let index = 0; index * TILE_WIDTH < hashes; index++)
      tiles.push({ level, index, width: Math.min(TILE_WIDTH, hashes - index * TILE_WIDTH) })
  }
  for (let index = 0; index * TILE_WIDTH < size; index++)
    tiles.push({ level: 'entries', index, width: Math.min(TILE_WIDTH, size - index * TILE_WIDTH) })
  return tiles
}

/** The tile of `level` holding hash `position` of that level, with its width in a tree of `size`. */
function tileAt(level: number, position: number, size: number): TileCoord {
  const index = Math.floor(position / TILE_WIDTH)
  const hashes = Math.floor(size / TILE_WIDTH ** level)
  return { level, index, width: Math.min(TILE_WIDTH, hashes - index * TILE_WIDTH) }
}

/** An aligned subtree: the node at `height` (leaves are height 0) and `index` within that height. */
interface Node {
  height: number
  index: number
}

/** The aligned subtrees whose hashes combine (RFC 6962 split) into MTH(D[start:end]). */
function rangeNodes(start: number, end: number): Node[] {
  const n = end - start
  if (n <= 0) throw new RangeError(`empty range ${start}-${end}`)
  if ((n & (n - 1)) === 0 && start % n === 0) return [{ height: Math.log2(n), index: start / n }]
  const k = largestPowerOfTwoBelow(n)
  return [...rangeNodes(start, start + k), ...rangeNodes(start + k, end)]
}

/** Where a node's hash comes from: `count` consecutive hashes of a tile, from `offset`, hashed together. */
function nodeSource(node: Node, size: number): { tile: TileCoord; offset: number; count: number } {
  const level = Math.floor(node.height / TILE_HEIGHT)
  const span = 2 ** (node.height - level * TILE_HEIGHT)
  const position = node.index * span
  return { tile: tileAt(level, position, size), offset: position % TILE_WIDTH, count: span }
}

/** The tiles a client must fetch to hash `ranges` (proof elements) of a tree of `size`, each once. */
export function tilesForRanges(ranges: LeafRange[], size: number): TileCoord[] {
  const tiles = new Map<string, TileCoord>()
  for (const [start, end] of ranges)
    for (const node of rangeNodes(start, end)) {
      const { tile } = nodeSource(node, size)
      tiles.set(tilePath(tile), tile)
    }
  return [...tiles.values()]
}

/**
 * MTH(D[start:end]) of a tree of `size`, from its tiles (`tiles` maps a tile path to its bytes). A tile
 * of the wrong length is an error naming it: a server must not make us read past its hashes.
 */
export function hashFromTiles(tiles: Map<string, Uint8Array>, size: number, range: LeafRange): Buffer {
  const nodes = rangeNodes(range[0], range[1]).map((node) => {
    const { tile, offset, count } = nodeSource(node, size)
    const path = tilePath(tile)
    const bytes = tiles.get(path)
    if (!bytes) throw new RangeError(`tile ${path} was not fetched`)
    if (bytes.length !== tile.width * HASH_BYTES)
      throw new GoblinError(
        'TLOG_BAD_TILE',
        `${path} is ${bytes.length} bytes, not ${tile.width * HASH_BYTES} (${tile.width} hashes)`,
        { hint: 'The log serves a damaged or wrong tile.', exit: ExitCode.notOk },
      )
    const builder = new TreeBuilder()
    for (let i = offset; i < offset + count; i++)
      builder.push(bytes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES))
    return builder.root()
  })
  // Combine right to left, as the RFC 6962 recursion does.
  let hash = nodes.at(-1) as Buffer
  for (let i = nodes.length - 2; i >= 0; i--) hash = nodeHash(nodes[i] as Buffer, hash)
  return hash
}

/** An entry bundle: each entry as a big-endian uint16 length, then its bytes. */
export function encodeEntryBundle(entries: Uint8Array[]): Buffer {
  const bundle = new BundleBuffer()
  for (const entry of entries) bundle.append(entry)
  return bundle.copy()
}

/**
 * An entry bundle as it is filled, in one buffer reused from bundle to bundle: holding 256 entries as
 * 256 small copies made each survive into V8's old space, garbage collected lazily, so a long stream's
 * memory grew with the log.
 */
class BundleBuffer {
  private bytes = Buffer.allocUnsafe(64 * 1024)
  private used = 0
  count = 0

  append(entry: Uint8Array): void {
    if (entry.length > MAX_ENTRY_BYTES)
      throw new RangeError(`an entry of ${entry.length} bytes does not fit a bundle`)
    if (this.used + 2 + entry.length > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + 2 + entry.length))
      this.bytes.copy(grown, 0, 0, this.used)
      this.bytes = grown
    }
    this.bytes.writeUInt16BE(entry.length, this.used)
    this.bytes.set(entry, this.used + 2)
    this.used += 2 + entry.length
    this.count++
  }

  /** The bundle so far, a view of the reused buffer: valid until the next `append` after a `clear`. */
  view(): Buffer {
    return this.bytes.subarray(0, this.used)
  }

  /** A copy of the bundle so far. */
  copy(): Buffer {
    return Buffer.from(this.view())
  }

  clear(): void {
    this.used = 0
    this.count = 0
  }
}

/** The entries of a bundle; throws naming the byte offset where it is malformed. */
export function decodeEntryBundle(bytes: Uint8Array, where: string): Buffer[] {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const entries: Buffer[] = []
  for (let at = 0; at < view.length; ) {
    if (at + 2 > view.length || at + 2 + view.readUInt16BE(at) > view.length)
      throw new GoblinError(
        'TLOG_BAD_BUNDLE',
        `${where}: entry ${entries.length} at byte ${at} runs past the end`,
        {
          hint: 'The log serves a damaged entry bundle.',
          exit: ExitCode.notOk,
        },
      )
    const length = view.readUInt16BE(at)
    entries.push(view.subarray(at + 2, at + 2 + length))
    at += 2 + length
  }
  return entries
}

/** A tile's content as it is built: the coordinates and the bytes to store at `tilePath(coord)`. */
export interface BuiltTile {
  coord: TileCoord
  bytes: Buffer
}

/**
 * Builds tiles as leaves stream in: each full tile is handed to `onTile` as soon as its 256th hash
 * arrives (its root then joins the level above), and `partials()` gives the partial tiles of the size
 * reached so far. Memory: at most 255 hashes a level and 255 entries.
 *
 * A full tile's bytes handed to `onTile` are a view of the builder's reused buffers, valid only during
 * the call (copy them to keep them): a copy of every tile of the log, garbage as soon as it was written
 * or compared, was what `audit verify`'s main thread allocated most of.
 */
export class TileBuilder {
  /** Each level's hashes not yet in a full tile, in one buffer a level (reused: see `BundleBuffer`). */
  private readonly levels: Buffer[] = []
  private readonly widths: number[] = []
  private readonly entries = new BundleBuffer()
  private readonly counts: number[] = []
  private size = 0

  constructor(private readonly onTile: (tile: BuiltTile) => void) {}

  /**
   * A builder that carries on from a tree of `size` entries rounded down to a whole entry bundle
   * (`resumeSize(size)`), given the hash tiles above level 0 of that tree: `partial(level)` returns the
   * stored partial tile of a level (undefined when the tree has none there). Full tiles never change, so
   * they are not needed: a level's partial tile is all that is left of it to grow. The entries from the
   * rounded size on are pushed again by the caller.
   */
  static resume(
    size: number,
    partial: (level: number) => Buffer | undefined,
    onTile: (tile: BuiltTile) => void,
  ): TileBuilder {
    const builder = new TileBuilder(onTile)
    const start = resumeSize(size)
    builder.size = start
    for (let level = 0, perHash = 1; Math.floor(start / perHash) > 0; level++, perHash *= TILE_WIDTH) {
      builder.counts[level] = Math.floor(start / (perHash * TILE_WIDTH))
      const width = Math.floor(start / perHash) % TILE_WIDTH
      const bytes = width > 0 ? partial(level) : undefined
      if (width > 0 && bytes?.length !== width * HASH_BYTES)
        throw new RangeError(`the partial tile of level ${level} is not ${width} hashes`)
      builder.level(level).set(bytes ?? Buffer.alloc(0))
      builder.widths[level] = width
    }
    return builder
  }

  /** The number of entries pushed so far (with those a resumed builder starts from). */
  get count(): number {
    return this.size
  }

  /** Adds the next entry (its bytes, copied) and its leaf hash. */
  push(entry: Uint8Array, leaf: Uint8Array): void {
    this.entries.append(entry)
    this.size++
    if (this.entries.count === TILE_WIDTH) {
      const index = this.size / TILE_WIDTH - 1
      this.onTile({ coord: { level: 'entries', index, width: TILE_WIDTH }, bytes: this.entries.view() })
      this.entries.clear()
    }
    this.add(0, leaf)
  }

  private level(level: number): Buffer {
    if (!this.levels[level]) {
      this.levels[level] = Buffer.allocUnsafe(TILE_WIDTH * HASH_BYTES)
      this.widths[level] = 0
    }
    return this.levels[level] as Buffer
  }

  private add(level: number, hash: Uint8Array): void {
    const hashes = this.level(level)
    const width = this.widths[level] as number
    hashes.set(hash, width * HASH_BYTES)
    this.widths[level] = width + 1
    if (width + 1 < TILE_WIDTH) return
    const index = this.counts[level] ?? 0
    this.counts[level] = index + 1
    this.onTile({ coord: { level, index, width: TILE_WIDTH }, bytes: hashes })
    const root = new TreeBuilder()
    for (let i = 0; i < TILE_WIDTH; i++) root.push(hashes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES))
    this.widths[level] = 0
    this.add(level + 1, root.root())
  }

  /** The root of the tree of the entries pushed so far, from its partial tiles (its right edge). */
  root(): Buffer {
    if (this.size === 0) return Buffer.from(EMPTY_ROOT)
    const tiles = new Map(this.partials().map((t) => [tilePath(t.coord), t.bytes as Uint8Array]))
    return hashFromTiles(tiles, this.size, [0, this.size])
  }

  /** The partial tiles (and partial entry bundle) of the tree of the entries pushed so far. */
  partials(): BuiltTile[] {
    const out: BuiltTile[] = []
    this.levels.forEach((hashes, level) => {
      const width = this.widths[level] as number
      if (width > 0)
        out.push({
          coord: { level, index: this.counts[level] ?? 0, width },
          bytes: Buffer.from(hashes.subarray(0, width * HASH_BYTES)),
        })
    })
    if (this.entries.count > 0)
      out.push({
        coord: { level: 'entries', index: Math.floor(this.size / TILE_WIDTH), width: this.entries.count },
        bytes: this.entries.copy(),
      })
    return out
  }
}

/** Where `TileBuilder.resume` carries on from a tree of `size`: the start of its last entry bundle. */
export function resumeSize(size: number): number {
  return size - (size % TILE_WIDTH)
}
