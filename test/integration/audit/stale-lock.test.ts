import { readFileSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { execa, type ResultPromise } from 'execa'
import { afterEach, describe, expect, it } from 'vitest'
import { acquireFileLock } from '../../../src/audit/file-lock.js'
import { bootId, pidNamespace, processStartTime } from '../../../src/core/process-identity.js'
import { REPO_ROOT, tempDir } from '../../helpers/cli.js'

const HOLDER = join(REPO_ROOT, 'test/integration/audit/lock-holder.mjs')

/**
 * Stale audit locks, with real processes: signers that die by SIGKILL while holding the lock, in this pid
 * namespace and in a container's (unshare: a new user and pid namespace, where the signer is PID 1). A lock
 * is broken only when its holder is certainly gone, and never while it lives.
 */
describe('a stale audit lock is broken however its holder was identified; a live one never', {
  timeout: 60_000,
}, () => {
  const cleanups: Array<() => void> = []
  const holders: ResultPromise[] = []
  afterEach(async () => {
    for (const holder of holders.splice(0)) {
      holder.kill('SIGKILL')
      await holder
    }
    for (const cleanup of cleanups.splice(0)) cleanup()
  })
  const lockPath = () => {
    const dir = tempDir('goblin-stale-lock-')
    cleanups.push(dir.cleanup)
    return join(dir.path, '.lock')
  }
  const record = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>

  /** Starts a holder (in a new container when `container`); resolves once it holds the lock. */
  async function hold(path: string, container = false) {
    const holder = container
      ? execa(
          'unshare',
          [
            '--user',
            '--map-root-user',
            '--pid',
            '--fork',
            '--kill-child=SIGKILL',
            '--mount-proc',
            process.execPath,
            HOLDER,
            path,
          ],
          { reject: false },
        )
      : execa(process.execPath, [HOLDER, path], { reject: false })
    holders.push(holder)
    const pid = await new Promise<number>((resolve) =>
      holder.stdout?.on('data', (chunk: Buffer) => {
        const match = /held (\d+)/.exec(chunk.toString())
        if (match) resolve(Number(match[1]))
      }),
    )
    return { holder, pid }
  }

  async function killed(holder: ResultPromise) {
    holder.kill('SIGKILL')
    await holder
  }

  it('the signer was PID 1 in a container that is gone, and the next signer is PID 1 in a new one', async () => {
    const path = lockPath()
    const first = await hold(path, true)
    expect(first.pid).toBe(1)
    expect(record(path)).toMatchObject({ pid: 1, boot: bootId() })
    expect(record(path).pidns).not.toBe(pidNamespace())
    await killed(first.holder)
    // The old check asked whether pid 1 runs, and it always does: 30 s, then AUDIT_LOCKED.
    const second = await hold(path, true)
    expect(second.pid).toBe(1)
    await killed(second.holder)
    const lock = await acquireFileLock(path, 5_000)
    lock.release()
  })

  it('a live signer in another pid namespace is never broken', async () => {
    const path = lockPath()
    await hold(path, true)
    await expect(acquireFileLock(path, 300)).rejects.toMatchObject({ code: 'AUDIT_LOCKED', exit: 1 })
  })

  it('the hostname changed: a live holder keeps the lock, a dead one loses it', async () => {
    const path = lockPath()
    const { holder } = await hold(path)
    writeFileSync(path, JSON.stringify({ ...record(path), host: 'the-old-name' }))
    await expect(acquireFileLock(path, 300)).rejects.toThrow(/pid \d+ on the-old-name/)
    await killed(holder)
    ;(await acquireFileLock(path, 5_000)).release()
  })

  it('the pid was reused: the pid runs, but it is a process that started at another time', async () => {
    const path = lockPath()
    const { holder, pid } = await hold(path)
    const start = processStartTime(pid)
    await killed(holder)
    // Another process now has a pid the record names (our parent stands in for it), without the socket.
    const { socket: _socket, ...rest } = record(path)
    writeFileSync(path, JSON.stringify({ ...rest, pid: process.ppid, socket: null }))
    expect(processStartTime(process.ppid)).not.toBe(start)
    ;(await acquireFileLock(path, 5_000)).release()
  })

  it('a lock from an earlier boot on a local file system is broken', async () => {
    const path = lockPath()
    writeFileSync(
      path,
      JSON.stringify({
        pid: process.ppid,
        host: hostname(),
        boot: 'an-earlier-boot',
        pidns: pidNamespace(),
        start: '1',
        socket: null,
      }),
    )
    ;(await acquireFileLock(path, 5_000)).release()
  })
})
