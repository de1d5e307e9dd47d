import { randomBytes } from 'node:crypto'
import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  writeSync,
} from 'node:fs'
import { open } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { createExclusive } from '../core/private-state.js'
import { fsyncDirectory, makeDirDurably } from './durable-file.js'
import type { BuiltTile } from './tiles.js'
import { tilePath } from './tiles.js'

/**
 * The ledger's C2SP tlog-tiles, stored under `<ledger>/tile/` exactly as the spec lays them out (so the
 * directory can be served as is, or pushed to a bucket), and the latest checkpoint at `<ledger>/checkpoint`.
 * Every tile path is immutable: a tile already stored is never written again.
 */

/** Where `audit checkpoint` publishes the latest checkpoint (tlog-tiles `<prefix>/checkpoint`). */
export const LATEST_CHECKPOINT_FILE = 'checkpoint'

/**
 * Writes tiles durably, each once. Each goes to a new temp file as it completes; `finish` then syncs them
 * all at once (many fsyncs in flight let the file system commit them together, where one after another
 * each waits for its own commit), renames each into place and syncs each directory: until `finish` no tile
 * path exists half-written, and after it every one survives a power loss.
 */
export class TileWriter {
  private readonly pending: Array<{ temp: string; path: string }> = []
  private readonly directories = new Set<string>()
  written = 0

  /**
   * With `repair`, a stored tile whose bytes differ from the one built is replaced (atomically, like any
   * other): for a rebuild from the log, whose prefix the caller checks against a signed root before
   * `finish` puts anything in place.
   */
  constructor(
    private readonly ledgerDir: string,
    private readonly options: { repair?: boolean } = {},
  ) {}

  /** Stages `tile` unless that path exists (its content is fixed by the log, so it is the same). */
  write(tile: BuiltTile): void {
    const path = join(this.ledgerDir, tilePath(tile.coord))
    if (existsSync(path) && !(this.options.repair && !readFileSync(path).equals(tile.bytes))) return
    const dir = dirname(path)
    if (!this.directories.has(dir)) makeDirDurably(dir)
    this.directories.add(dir)
    const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
    const fd = createExclusive(temp)
    try {
      writeSync(fd, tile.bytes)
    } finally {
      closeSync(fd)
    }
    this.pending.push({ temp, path })
    this.written++
  }

  /** Makes every tile staged so far durable and puts it in place: call before publishing a checkpoint. */
  async finish(): Promise<void> {
    const files = this.pending.splice(0)
    for (let i = 0; i < files.length; i += FSYNCS_IN_FLIGHT)
      await Promise.all(
        files.slice(i, i + FSYNCS_IN_FLIGHT).map(async ({ temp }) => {
          const handle = await open(temp, 'r')
          try {
            await handle.sync()
          } finally {
            await handle.close()
          }
        }),
      )
    for (const { temp, path } of files) renameSync(temp, path)
    for (const dir of this.directories) fsyncDirectory(dir)
    this.directories.clear()
  }
}

const FSYNCS_IN_FLIGHT = 64

/** The stored tile at `coord`'s path, or null. */
export function readStoredTile(ledgerDir: string, tile: BuiltTile['coord']): Buffer | null {
  return new StoredTileReader(ledgerDir).read(tile)
}

/**
 * Reads stored tiles one after another into one reused buffer: `audit verify` reads every tile of the
 * log (entry bundles as large as the log itself), and a fresh buffer each, garbage at once, piled up.
 */
export class StoredTileReader {
  private buffer = Buffer.alloc(0)

  constructor(private readonly ledgerDir: string) {}

  /** The stored tile at `coord`'s path, or null; valid until the next `read`. */
  read(tile: BuiltTile['coord']): Buffer | null {
    const path = join(this.ledgerDir, tilePath(tile))
    if (!existsSync(path)) return null
    const fd = openSync(path, 'r')
    try {
      const size = fstatSync(fd).size
      if (this.buffer.length < size) this.buffer = Buffer.allocUnsafe(Math.max(size, this.buffer.length * 2))
      let got = 0
      for (let n = 1; got < size && n > 0; got += n) n = readSync(fd, this.buffer, got, size - got, got)
      return this.buffer.subarray(0, got)
    } finally {
      closeSync(fd)
    }
  }
}

/** Reads tiles from the ledger directory as a tile client reads them from a server (null when missing). */
export function localTileFetch(ledgerDir: string): (path: string) => Promise<Buffer | null> {
  return async (path) => {
    const file = join(ledgerDir, path)
    return existsSync(file) ? readFileSync(file) : null
  }
}
