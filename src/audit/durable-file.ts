import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { createExclusive, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../core/private-state.js'

/**
 * Writes `path` atomically and durably: a new temp file (O_EXCL|O_NOFOLLOW, an unguessable name: never
 * written through a planted link), fsync, rename over (which replaces a link at `path` rather than
 * following it), fsync of the directory. Private (0600) unless `mode` says otherwise.
 */
export function writeFileDurably(
  path: string,
  content: string | Uint8Array,
  mode: number = PRIVATE_FILE_MODE,
): void {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  const fd = createExclusive(temp, mode)
  try {
    writeSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temp, path)
  fsyncDirectory(dirname(path))
}

/**
 * Creates `dir` (0700, parents too) so that its existence survives a power loss: each directory created
 * is synced into its parent, as a new file is into its directory. An existing `dir` costs one mkdir.
 */
export function makeDirDurably(dir: string): void {
  const first = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
  if (first === undefined) return
  // Every directory from the first one created down to `dir` is new: sync each into its parent.
  for (let created = dir; ; created = dirname(created)) {
    fsyncDirectory(dirname(created))
    if (created === first) break
  }
}

/** fsyncs a directory so a file created or renamed in it survives a crash. */
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Writes all of `bytes` at the file position of `fd` (one write may take only part of them). */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done)
}
