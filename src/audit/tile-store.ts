import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fsyncDirectory, makeDirDurably, writeFileDurably } from './durable-file.js'
import type { BuiltTile } from './tiles.js'
import { tilePath } from './tiles.js'

/**
 * The ledger's C2SP tlog-tiles, stored under `<ledger>/tile/` exactly as the spec lays them out (so the
 * directory can be served as is, or pushed to a bucket), and the latest checkpoint at `<ledger>/checkpoint`.
 * Every tile path is immutable: a tile already stored is never written again.
 */

/** Where `audit checkpoint` publishes the latest checkpoint (tlog-tiles `<prefix>/checkpoint`). */
export const LATEST_CHECKPOINT_FILE = 'checkpoint'

/** Writes tiles durably, each once; directories are synced together at `finish`. */
export class TileWriter {
  private readonly directories = new Set<string>()
  written = 0

  constructor(private readonly ledgerDir: string) {}

  /** Stores `tile` unless that path exists (its content is fixed by the log, so it is the same). */
  write(tile: BuiltTile): void {
    const path = join(this.ledgerDir, tilePath(tile.coord))
    if (existsSync(path)) return
    const dir = dirname(path)
    if (!this.directories.has(dir)) makeDirDurably(dir)
    writeFileDurably(path, tile.bytes, undefined, { syncDirectory: false })
    this.directories.add(dir)
    this.written++
  }

  /** Makes every tile written so far survive a power loss: call before publishing a checkpoint. */
  finish(): void {
    for (const dir of this.directories) fsyncDirectory(dir)
    this.directories.clear()
  }
}

/** The stored tile at `coord`'s path, or null. */
export function readStoredTile(ledgerDir: string, tile: BuiltTile['coord']): Buffer | null {
  const path = join(ledgerDir, tilePath(tile))
  return existsSync(path) ? readFileSync(path) : null
}

/** Reads tiles from the ledger directory as a tile client reads them from a server (null when missing). */
export function localTileFetch(ledgerDir: string): (path: string) => Promise<Buffer | null> {
  return async (path) => {
    const file = join(ledgerDir, path)
    return existsSync(file) ? readFileSync(file) : null
  }
}
