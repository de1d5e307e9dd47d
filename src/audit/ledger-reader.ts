import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs'
import { acquireFileLock } from './file-lock.js'
import { ledgerPaths, splitLedgerLines, type TornTail } from './ledger.js'

/**
 * Reads the ledger's lines in chunks of bounded size, so that verifying or tiling a log of any length
 * holds a few megabytes of it at a time (the whole-file read costs about 330 MB per million entries).
 */

/** Complete lines of one chunk: line j is bytes[starts[j]..ends[j]) (without the newline). */
export interface LineChunk {
  bytes: Buffer
  starts: Float64Array
  ends: Float64Array
  count: number
  /** The 0-based index in the whole log of this chunk's first line. */
  first: number
}

/**
 * Default chunk: large enough that per-chunk overhead is noise (a worker message per thread per 3,000
 * entries), small enough to stay flat: each is held about four times (two read buffers, two of verify's
 * shared ones); 1 MiB rather than 4 MiB took 12 MB off verify's peak on two threads.
 */
export const CHUNK_BYTES = 1024 * 1024

const EMPTY_OFFSETS = { starts: new Float64Array(0), ends: new Float64Array(0) }

/** The ledger's size when its lock was last free: never in the middle of a batch being written. */
export async function ledgerSnapshotSize(ledgerDir: string): Promise<number> {
  const paths = ledgerPaths(ledgerDir)
  if (!existsSync(paths.log)) return 0
  const lock = await acquireFileLock(paths.lock)
  try {
    const fd = openSync(paths.log, 'r')
    try {
      return fstatSync(fd).size
    } finally {
      closeSync(fd)
    }
  } finally {
    lock.release()
  }
}

/**
 * Yields the complete lines of the ledger's first `size` bytes chunk by chunk, then returns the torn tail
 * (bytes after the last newline) or null. A line longer than a chunk is carried until it is complete.
 *
 * The chunks are read into two buffers used in turn (with their line offsets), so a chunk stays valid
 * while the next chunk is read and used (verify folds chunk k into the tree while chunk k+1 is checked)
 * and is overwritten by the one after: a caller that keeps bytes longer must copy them. Reused, not
 * allocated per chunk: a chunk outlives a young-generation collection, so a fresh one's memory is freed
 * only by a full one, which V8 runs rarely, and dead chunks piled up.
 */
export async function* readLedgerLines(
  ledgerDir: string,
  size: number,
  chunkBytes = CHUNK_BYTES,
): AsyncGenerator<LineChunk, TornTail | null> {
  if (size === 0) return null
  const fd = openSync(ledgerPaths(ledgerDir).log, 'r')
  try {
    const buffers: Buffer[] = []
    // Each buffer's line offsets, reused with it.
    const offsets: Array<{ starts: Float64Array; ends: Float64Array }> = []
    let turn = 0
    // The partial last line of the previous read, at the end of its buffer.
    let carry: Buffer = Buffer.alloc(0)
    let carryOffset = 0
    let first = 0
    for (let pos = 0; pos < size; ) {
      const want = Math.min(chunkBytes, size - pos)
      // The slot changes only after a yield: until then the other one holds the chunk still in use.
      const slot = turn % 2
      let buffer = buffers[slot]
      if (!buffer || buffer.length < carry.length + want) {
        buffer = Buffer.allocUnsafe(Math.max(chunkBytes, carry.length + want))
        buffers[slot] = buffer
      }
      carry.copy(buffer, 0)
      let got = 0
      while (got < want) {
        const n = readSync(fd, buffer, carry.length + got, want - got, pos + got)
        if (n === 0) break
        got += n
      }
      if (got === 0) break
      pos += got
      const bytes = buffer.subarray(0, carry.length + got)
      const { starts, ends, count } = splitLedgerLines(bytes, offsets[slot] ?? EMPTY_OFFSETS)
      offsets[slot] = { starts: new Float64Array(starts.buffer), ends: new Float64Array(ends.buffer) }
      const consumed = count > 0 ? (ends[count - 1] as number) + 1 : 0
      carryOffset += consumed
      carry = bytes.subarray(consumed)
      if (count > 0) {
        yield { bytes, starts, ends, count, first }
        turn++
      }
      first += count
    }
    return carry.length > 0 ? { line: first + 1, offset: carryOffset, bytes: carry.length } : null
  } finally {
    closeSync(fd)
  }
}
