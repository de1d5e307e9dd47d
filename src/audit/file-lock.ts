import { randomBytes } from 'node:crypto'
import { closeSync, linkSync, readFileSync, statfsSync, unlinkSync, writeSync } from 'node:fs'
import { connect, createServer, type Server } from 'node:net'
import { hostname } from 'node:os'
import { dirname } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { ExitCode, GoblinError } from '../core/errors.js'
import { createExclusive } from '../core/private-state.js'
import { type ProcessIdentity, processIdentity, recordedProcessState } from '../core/process-identity.js'

/**
 * A cross-process lock: a lock file created atomically (link(2), which fails when it exists) holding a
 * JSON record of its owner: pid, host, kernel boot, pid namespace, start time, and a Unix socket the owner
 * listens on while it holds the lock (the kernel closes it when the process dies, however it dies). A
 * waiter breaks a lock only on evidence that its owner is gone:
 *   - same boot, and the owner's socket refuses connections. This holds across pid namespaces: the signer
 *     that was PID 1 in a container that is gone, whoever is PID 1 now;
 *   - same boot and pid namespace, and the pid is free or now belongs to a process started at another time
 *     (a reused pid), when there is no socket to ask;
 *   - an earlier boot, with the lock on a local file system: no process of that boot runs. On a network
 *     file system another boot may be another live machine, so such a lock is never broken here.
 * The hostname is only reported: it can change while a process runs. Breaking happens under a second,
 * short-lived lock file, so two waiters never both break the lock and then both take it.
 */

export interface FileLock {
  release(): void
}

interface LockOwner extends ProcessIdentity {
  host: string
  /** The Unix socket the owner listens on while it holds the lock; null where none could be bound. */
  socket: string | null
}

const RETRY_MS = 5

/** Takes the lock at `path`, waiting up to `timeoutMs` for another process to release it. */
export async function acquireFileLock(path: string, timeoutMs = 30_000): Promise<FileLock> {
  const deadline = Date.now() + timeoutMs
  const alive = await listenWhileHolding(`${path}.${randomBytes(4).toString('hex')}.sock`)
  const owner: LockOwner = { ...processIdentity(), host: hostname(), socket: alive?.path ?? null }
  const record = JSON.stringify(owner)
  try {
    for (;;) {
      const lock = tryCreate(path, record, () => alive?.close())
      if (lock) return lock
      await breakIfStale(path, record)
      if (Date.now() > deadline) {
        const holder = readOwner(path)
        throw new GoblinError(
          'AUDIT_LOCKED',
          `the audit ledger is locked by another process (${holder ? describe(holder) : 'unknown'}): ${path}`,
          {
            hint: 'Wait for the other goblin audit command to finish; if that process is certainly gone (goblin could not tell), delete the lock file.',
            exit: ExitCode.notOk,
          },
        )
      }
      await sleep(RETRY_MS + Math.random() * RETRY_MS)
    }
  } catch (error) {
    alive?.close()
    throw error
  }
}

/** Listens on a Unix socket at `path` (unref'd: it never keeps the process alive); null where that fails. */
async function listenWhileHolding(path: string): Promise<{ path: string; close(): void } | null> {
  const server: Server = createServer((connection) => connection.destroy())
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false))
    server.listen(path, () => resolve(true))
  })
  if (!listening) return null
  server.unref()
  let closed = false
  return {
    path,
    close() {
      if (closed) return
      closed = true
      server.close()
      removeQuietly(path)
    },
  }
}

function tryCreate(path: string, record: string, onRelease: () => void): FileLock | null {
  // Write the owner to a private file first and hard-link it into place: link() fails with EEXIST like
  // O_EXCL, and the lock file is never seen empty.
  const staging = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`
  const fd = createExclusive(staging)
  try {
    writeSync(fd, record)
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
      // The lock file first: a waiter must never find our lock with our socket already closed.
      removeQuietly(path)
      onRelease()
    },
  }
}

function readOwner(path: string): LockOwner | null {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return null
  }
  return parseOwner(text)
}

/** The owner a lock file names; the `pid@host` form of older goblin versions reads as a bare pid. */
function parseOwner(text: string): LockOwner | null {
  const legacy = /^(\d+)@(.*)$/.exec(text)
  if (legacy)
    return {
      pid: Number(legacy[1]),
      host: legacy[2] as string,
      boot: null,
      pidns: null,
      start: null,
      socket: null,
    }
  try {
    const value = JSON.parse(text) as Partial<LockOwner>
    if (!Number.isSafeInteger(value.pid) || typeof value.host !== 'string') return null
    return {
      pid: value.pid as number,
      host: value.host,
      boot: typeof value.boot === 'string' ? value.boot : null,
      pidns: typeof value.pidns === 'string' ? value.pidns : null,
      start: typeof value.start === 'string' ? value.start : null,
      socket: typeof value.socket === 'string' ? value.socket : null,
    }
  } catch {
    return null
  }
}

/** Whether the owner is certainly gone, by the evidence the module comment lists. */
async function isGone(owner: LockOwner | null, lockPath: string): Promise<boolean> {
  if (owner === null) return false
  const here = processIdentity()
  if (owner.boot === null || here.boot === null)
    return owner.host === hostname() && recordedProcessState(owner) === 'gone'
  if (owner.boot !== here.boot) return !onNetworkFileSystem(dirname(lockPath))
  const answer = owner.socket ? await socketAnswers(owner.socket) : 'unknown'
  if (answer !== 'unknown') return answer === 'refused'
  return recordedProcessState(owner) === 'gone'
}

/** Connects to a holder's socket: `answers` while its process lives, `refused` once the kernel closed it. */
function socketAnswers(path: string): Promise<'answers' | 'refused' | 'unknown'> {
  return new Promise((resolve) => {
    const socket = connect(path)
    socket.once('connect', () => {
      socket.destroy()
      resolve('answers')
    })
    // ENOENT: the socket file was removed (a tmp cleaner?): no evidence either way.
    socket.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ECONNREFUSED' ? 'refused' : 'unknown'),
    )
  })
}

/** statfs magic numbers of network and cluster file systems, where another boot may be another machine. */
const NETWORK_FILE_SYSTEMS = new Set([
  0x6969, // NFS
  0x517b, // SMB
  0xff534d42, // CIFS
  0xfe534d42, // SMB2
  0x01021997, // 9p (also virtio shares)
  0x65735546, // FUSE (sshfs, virtiofs, ...)
  0x00c36400, // Ceph
  0x01161970, // GFS2
  0x7461636f, // OCFS2
  0x0bd00bd0, // Lustre
  0x5346414f, // AFS
  0x73757245, // Coda
])

function onNetworkFileSystem(dir: string): boolean {
  try {
    return NETWORK_FILE_SYSTEMS.has(statfsSync(dir).type)
  } catch {
    // Unknown: assume it may be shared, and never break a lock we cannot reason about.
    return true
  }
}

async function breakIfStale(path: string, record: string): Promise<void> {
  const text = readText(path)
  if (text === null || !(await isGone(parseOwner(text), path))) return
  const breaker = tryCreate(`${path}.break`, record, () => {})
  if (!breaker) {
    // Another process is breaking it; if that breaker itself died, clear its file for the next round.
    const breakText = readText(`${path}.break`)
    if (
      breakText !== null &&
      (await isGone(parseOwner(breakText), path)) &&
      readText(`${path}.break`) === breakText
    )
      removeQuietly(`${path}.break`)
    return
  }
  try {
    // Re-read under the break lock: only a breaker removes a lock it does not own, so the same stale
    // record here means nobody took the lock in between.
    if (readText(path) === text) {
      unlinkSync(path)
      const socket = parseOwner(text)?.socket
      if (socket) removeQuietly(socket)
    }
  } catch {
  } finally {
    breaker.release()
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

function describe(owner: LockOwner): string {
  return `pid ${owner.pid} on ${owner.host}`
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path)
  } catch {}
}
