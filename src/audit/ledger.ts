import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync } from 'node:fs'
import { join } from 'node:path'
import { ExitCode, GoblinError, usageError } from '../core/errors.js'
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../core/private-state.js'
import { fsyncDirectory, makeDirDurably, writeAll, writeFileDurably } from './durable-file.js'
import { type AuditEvent, type Envelope, sealEntry } from './envelope.js'
import { acquireFileLock } from './file-lock.js'
import { leafHash } from './merkle.js'
import type { NoteSigner } from './signed-note.js'
import { MAX_ENTRY_BYTES } from './tiles.js'

/**
 * Hands `seal` the key that signs, holding whatever keeps that key's validity fixed while `seal` stamps
 * each entry's `ts` (the keyring lock: see `keyringSigningSession`). A bare signer has no window to guard.
 */
export type SigningSession = <T>(seal: (signer: NoteSigner) => T) => Promise<T>

/**
 * The ledger: `log.jsonl` in the ledger directory, one canonical-JSON envelope per line, append-only.
 * Appends hold a cross-process lock and fsync before returning, so an acknowledged entry survives a crash
 * and two writers never interleave or reuse a seq. A crash mid-append can leave a torn last line (no
 * final newline): appends refuse to build on it until `repairLedger` sets it aside.
 */

export const LEDGER_FILE = 'log.jsonl'
const NEWLINE = 0x0a

/** Where the ledger keeps each file. */
export function ledgerPaths(ledgerDir: string) {
  return {
    log: join(ledgerDir, LEDGER_FILE),
    lock: join(ledgerDir, '.lock'),
    checkpoints: join(ledgerDir, 'checkpoints'),
    torn: join(ledgerDir, 'torn'),
  }
}

/** One appended entry, as `goblin audit sign --json` reports it. */
export interface AppendedEntry {
  seq: number
  leaf_hash: string
  envelope: Envelope
}

/** A torn (incomplete) last line: bytes after the last newline. */
export interface TornTail {
  /** 1-based line number of the torn line. */
  line: number
  /** Byte offset where it starts (the file's length after repair). */
  offset: number
  bytes: number
}

/** Bytes of sealed lines gathered before one write (above an entry's limit): memory stays flat however large the batch. */
const WRITE_CHUNK_BYTES = 1024 * 1024

/**
 * Signs `events` as the next entries of the ledger in `ledgerDir` and appends them durably, as one batch.
 * This is the one write path: the CLI's `audit sign` and the collector's aggregator both call it. Lines
 * are written as they are sealed, a megabyte at a time, and synced once at the end; if anything fails
 * midway the file is cut back to where the batch began, so a refused batch appends nothing. With
 * `onEntry`, each appended entry goes there instead of into the returned array (which is then empty).
 */
export async function appendEvents(
  ledgerDir: string,
  events: Iterable<AuditEvent>,
  signer: NoteSigner | SigningSession,
  options: { now?: () => Date; onEntry?: (entry: AppendedEntry) => void } = {},
): Promise<AppendedEntry[]> {
  if (Array.isArray(events) && events.length === 0) return []
  const session: SigningSession =
    typeof signer === 'function' ? signer : async (seal) => seal(signer as NoteSigner)
  const paths = ledgerPaths(ledgerDir)
  makeDirDurably(ledgerDir)
  const lock = await acquireFileLock(paths.lock)
  try {
    const created = !existsSync(paths.log)
    const fd = openSync(paths.log, 'a+', PRIVATE_FILE_MODE)
    try {
      const nextSeq = readNextSeq(fd, paths.log)
      const start = fstatSync(fd).size
      const now = options.now ?? (() => new Date())
      const entries: AppendedEntry[] = []
      const keep = options.onEntry ?? ((entry: AppendedEntry) => entries.push(entry))
      // The batch is written and synced inside the session: a rotation waiting for the keyring lock
      // retires the key only after every entry it stamped is durable.
      await session((key) => {
        // Lines are copied into one buffer, written when full: nothing per entry outlives its sealing.
        const chunk = Buffer.allocUnsafe(WRITE_CHUNK_BYTES)
        let pending = 0
        let i = 0
        try {
          for (const event of events) {
            const { envelope, bytes } = sealEntry(event, nextSeq + i, now(), key)
            if (bytes.length > MAX_ENTRY_BYTES)
              throw usageError(
                'AUDIT_ENTRY_TOO_LARGE',
                `event ${i + 1} of the batch signs to ${bytes.length} bytes; an entry is at most ${MAX_ENTRY_BYTES} (a C2SP tlog-tiles entry bundle's limit); nothing was appended`,
                'Keep large payloads outside the log and sign their digest in attrs.',
              )
            if (pending + bytes.length + 1 > chunk.length) {
              writeAll(fd, chunk.subarray(0, pending))
              pending = 0
            }
            pending += bytes.copy(chunk, pending)
            chunk[pending++] = NEWLINE
            keep({ seq: envelope.seq, leaf_hash: leafHash(bytes).toString('hex'), envelope })
            i++
          }
          if (pending > 0) writeAll(fd, chunk.subarray(0, pending))
        } catch (error) {
          ftruncateSync(fd, start)
          fsyncSync(fd)
          throw error
        }
        fsyncSync(fd)
      })
      if (created) fsyncDirectory(ledgerDir)
      return entries
    } finally {
      closeSync(fd)
    }
  } finally {
    lock.release()
  }
}

/** Sets a torn last line aside into `torn/` and truncates the ledger to its last complete line. */
export async function repairLedger(
  ledgerDir: string,
): Promise<{ torn: TornTail | null; savedTo: string | null }> {
  const paths = ledgerPaths(ledgerDir)
  if (!existsSync(paths.log)) return { torn: null, savedTo: null }
  const lock = await acquireFileLock(paths.lock)
  try {
    const fd = openSync(paths.log, 'r+')
    try {
      const torn = findTornTail(fd)
      if (!torn) return { torn: null, savedTo: null }
      const partial = Buffer.alloc(torn.bytes)
      readSync(fd, partial, 0, torn.bytes, torn.offset)
      ensurePrivateDir(paths.torn)
      const savedTo = join(
        paths.torn,
        `line-${torn.line}-${new Date().toISOString().replaceAll(':', '')}.partial`,
      )
      writeFileDurably(savedTo, partial)
      ftruncateSync(fd, torn.offset)
      fsyncSync(fd)
      return { torn, savedTo }
    } finally {
      closeSync(fd)
    }
  } finally {
    lock.release()
  }
}

/** The ledger's bytes up to its size when the lock was last free (never a batch half-written). */
export async function readLedgerSnapshot(ledgerDir: string): Promise<Buffer> {
  const paths = ledgerPaths(ledgerDir)
  if (!existsSync(paths.log)) return Buffer.alloc(0)
  const lock = await acquireFileLock(paths.lock)
  let size: number
  const fd = openSync(paths.log, 'r')
  try {
    size = fstatSync(fd).size
  } finally {
    lock.release()
  }
  try {
    return readRange(fd, 0, size)
  } finally {
    closeSync(fd)
  }
}

/** Byte ranges of a ledger's complete lines, and the torn tail if the last line has no newline. */
export interface LedgerLines {
  /** starts[i]..ends[i] (exclusive, without the newline) is line i+1. */
  starts: Float64Array
  ends: Float64Array
  count: number
  torn: TornTail | null
}

/**
 * Splits ledger bytes into lines. With `reuse`, the offsets go into those arrays when they are large
 * enough (the result is a view of them), else into new ones with a quarter more room, whose whole arrays
 * the caller passes next time (`new Float64Array(result.starts.buffer)`).
 */
export function splitLedgerLines(
  bytes: Uint8Array,
  reuse?: { starts: Float64Array; ends: Float64Array },
): LedgerLines {
  let count = 0
  for (let i = bytes.indexOf(NEWLINE); i >= 0; i = bytes.indexOf(NEWLINE, i + 1)) count++
  const fits = reuse !== undefined && reuse.starts.length >= count && reuse.ends.length >= count
  const capacity = reuse === undefined ? count : Math.ceil(count * 1.25)
  const starts = (fits ? reuse.starts : new Float64Array(capacity)).subarray(0, count)
  const ends = (fits ? reuse.ends : new Float64Array(capacity)).subarray(0, count)
  let start = 0
  let n = 0
  for (let i = bytes.indexOf(NEWLINE); i >= 0; i = bytes.indexOf(NEWLINE, i + 1)) {
    starts[n] = start
    ends[n] = i
    n++
    start = i + 1
  }
  const torn = start < bytes.length ? { line: count + 1, offset: start, bytes: bytes.length - start } : null
  return { starts, ends, count, torn }
}

function readNextSeq(fd: number, path: string): number {
  const size = fstatSync(fd).size
  if (size === 0) return 0
  const torn = findTornTail(fd)
  if (torn)
    throw new GoblinError(
      'AUDIT_TORN_LINE',
      `${path}:${torn.line}: the last line is incomplete (${torn.bytes} bytes, a crash mid-append)`,
      {
        hint: 'Run goblin audit repair to set it aside (no acknowledged entry is lost), then sign again.',
        exit: ExitCode.notOk,
      },
    )
  const last = lastLine(fd, size)
  let seq: unknown
  try {
    seq = (JSON.parse(last.toString('utf8')) as { seq?: unknown }).seq
  } catch {
    seq = undefined
  }
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0)
    throw new GoblinError('AUDIT_LAST_ENTRY_UNREADABLE', `${path}: the last entry has no readable seq`, {
      hint: 'Run goblin audit verify to see what is wrong with the ledger.',
      exit: ExitCode.notOk,
    })
  return seq + 1
}

/** The torn tail of the file open at `fd`, or null when it ends in a newline. */
function findTornTail(fd: number): TornTail | null {
  const size = fstatSync(fd).size
  if (size === 0) return null
  const lastByte = readRange(fd, size - 1, size)
  if (lastByte[0] === NEWLINE) return null
  const offset = lastNewlineBefore(fd, size) + 1
  return { line: countLines(fd, offset) + 1, offset, bytes: size - offset }
}

/** The last complete line (without its newline) of a file that ends in a newline. */
function lastLine(fd: number, size: number): Buffer {
  const start = lastNewlineBefore(fd, size - 1) + 1
  return readRange(fd, start, size - 1)
}

/** Offset of the last newline before `end`, or -1. Reads backwards in chunks. */
function lastNewlineBefore(fd: number, end: number): number {
  const chunk = 64 * 1024
  for (let hi = end; hi > 0; hi -= chunk) {
    const lo = Math.max(0, hi - chunk)
    const at = readRange(fd, lo, hi).lastIndexOf(NEWLINE)
    if (at >= 0) return lo + at
  }
  return -1
}

function countLines(fd: number, end: number): number {
  let count = 0
  const chunk = 1024 * 1024
  for (let lo = 0; lo < end; lo += chunk) {
    const bytes = readRange(fd, lo, Math.min(end, lo + chunk))
    for (let i = bytes.indexOf(NEWLINE); i >= 0; i = bytes.indexOf(NEWLINE, i + 1)) count++
  }
  return count
}

function readRange(fd: number, start: number, end: number): Buffer {
  const buffer = Buffer.allocUnsafe(end - start)
  let done = 0
  while (done < buffer.length) {
    const n = readSync(fd, buffer, done, buffer.length - done, start + done)
    if (n === 0) break
    done += n
  }
  return buffer.subarray(0, done)
}
