import { closeSync, linkSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { ExitCode, GoblinError } from '../core/errors.js'
import { createExclusive } from '../core/private-state.js'

/**
 * A cross-process lock: a lock file holding `pid@host`, created atomically (link(2), which fails when it exists). A lock whose process on this
 * host is gone (kill -9, crash) is stale and is broken; breaking happens under a second, short-lived
 * lock file so two waiters never both break and then both take the lock.
 */

export interface FileLock {
  release(): void
}

const RETRY_MS = 5

/** Takes the lock at `path`, waiting up to `timeoutMs` for another process to release it. */
export async function acquireFileLock(path: string, timeoutMs = 30_000): Promise<FileLock> {
  const deadline = Date.now() + timeoutMs
  const owner = `${process.pid}@${hostname()}`
  for (;;) {
    const lock = tryCreate(path, owner)
    if (lock) return lock
    breakIfStale(path)
    if (Date.now() > deadline)
      throw new GoblinError(
        'AUDIT_LOCKED',
        `the audit ledger is locked by another process (${readOwner(path) ?? 'unknown'}): ${path}`,
        {
          hint: 'Wait for the other goblin audit command to finish; if no such process runs, delete the lock file.',
          exit: ExitCode.notOk,
        },
      )
    await sleep(RETRY_MS + Math.random() * RETRY_MS)
  }
}

function tryCreate(path: string, owner: string): FileLock | null {
  // Write the owner to a private file first and hard-link it into place: link() fails with EEXIST like
  // O_EXCL, and the lock file is never seen empty.
  const staging = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`
  const fd = createExclusive(staging)
  try {
    writeSync(fd, owner)
  } finally {
    closeSync(fd)
  }
  try {
    linkSync(staging, path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null
    throw error
  } finally {
    unlinkSync(staging)
  }
  let released = false
  return {
    release() {
      if (released) return
      released = true
      try {
        unlinkSync(path)
      } catch {
        // Already broken as stale by another process: nothing left to release.
      }
    },
  }
}

function readOwner(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

function isStale(owner: string | null): boolean {
  if (owner === null) return false
  const match = /^(\d+)@(.*)$/.exec(owner)
  if (!match) return false
  if (match[2] !== hostname()) return false
  try {
    process.kill(Number(match[1]), 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

function breakIfStale(path: string): void {
  const owner = readOwner(path)
  if (!isStale(owner)) return
  const breaker = tryCreate(`${path}.break`, `${process.pid}@${hostname()}`)
  if (!breaker) {
    // Another process is breaking it; if that breaker itself died, clear its file for the next round.
    if (isStale(readOwner(`${path}.break`))) {
      try {
        unlinkSync(`${path}.break`)
      } catch {}
    }
    return
  }
  try {
    // Re-read under the break lock: only a breaker removes a lock it does not own, so the same stale
    // owner here means nobody took the lock in between.
    if (readOwner(path) === owner) unlinkSync(path)
  } catch {
  } finally {
    breaker.release()
  }
}
