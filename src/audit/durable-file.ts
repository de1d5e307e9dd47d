import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { createExclusive, PRIVATE_FILE_MODE } from '../core/private-state.js'

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

/** fsyncs a directory so a file created or renamed in it survives a crash. */
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
