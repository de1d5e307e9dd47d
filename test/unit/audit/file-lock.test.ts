import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { acquireFileLock } from '../../../src/audit/file-lock.js'
import {
  bootId,
  pidNamespace,
  processIdentity,
  processStartTime,
} from '../../../src/core/process-identity.js'
import { tempDir } from '../../helpers/cli.js'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})
function lockPath() {
  const dir = tempDir('goblin-lock-')
  cleanups.push(dir.cleanup)
  return join(dir.path, '.lock')
}

describe('file lock', () => {
  it('holds a record of its owner and a live socket while taken, and removes both on release', async () => {
    const path = lockPath()
    const lock = await acquireFileLock(path)
    const owner = JSON.parse(readFileSync(path, 'utf8'))
    expect(owner).toMatchObject({
      pid: process.pid,
      host: hostname(),
      boot: bootId(),
      pidns: pidNamespace(),
      start: processStartTime(process.pid),
    })
    expect(existsSync(owner.socket)).toBe(true)
    lock.release()
    expect(existsSync(path)).toBe(false)
    expect(existsSync(owner.socket)).toBe(false)
  })

  it('breaks a lock whose process is gone, written in the record form or the older pid@host form', async () => {
    const path = lockPath()
    writeFileSync(
      path,
      JSON.stringify({ ...processIdentity(), pid: 2147483646, host: hostname(), socket: null }),
    )
    ;(await acquireFileLock(path, 2_000)).release()
    writeFileSync(path, `2147483646@${hostname()}`)
    ;(await acquireFileLock(path, 2_000)).release()
  })

  it('waits for a live holder, and for an older-form lock of another host, then says who holds it', async () => {
    const path = lockPath()
    writeFileSync(path, JSON.stringify({ ...processIdentity(process.ppid), host: hostname(), socket: null }))
    await expect(acquireFileLock(path, 100)).rejects.toMatchObject({ code: 'AUDIT_LOCKED', exit: 1 })
    writeFileSync(path, '1@another-host.example')
    await expect(acquireFileLock(path, 100)).rejects.toThrow(
      /locked by another process \(pid 1 on another-host\.example\)/,
    )
  })

  it('serialises holders within one process too', async () => {
    const path = lockPath()
    const first = await acquireFileLock(path)
    let secondTaken = false
    const second = acquireFileLock(path).then((lock) => {
      secondTaken = true
      return lock
    })
    await new Promise((r) => setTimeout(r, 50))
    expect(secondTaken).toBe(false)
    first.release()
    ;(await second).release()
    expect(secondTaken).toBe(true)
  })
})
