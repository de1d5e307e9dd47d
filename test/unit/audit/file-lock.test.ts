import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { acquireFileLock } from '../../../src/audit/file-lock.js'
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
  it('holds pid@host while taken and removes it on release', async () => {
    const path = lockPath()
    const lock = await acquireFileLock(path)
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}@${hostname()}`)
    lock.release()
    expect(existsSync(path)).toBe(false)
  })

  it('breaks a lock whose process is gone', async () => {
    const path = lockPath()
    writeFileSync(path, `2147483646@${hostname()}`)
    const lock = await acquireFileLock(path, 2_000)
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}@${hostname()}`)
    lock.release()
  })

  it('waits for a live holder, and for one on another host, then says who holds it', async () => {
    const path = lockPath()
    writeFileSync(path, `${process.ppid}@${hostname()}`)
    await expect(acquireFileLock(path, 100)).rejects.toMatchObject({ code: 'AUDIT_LOCKED', exit: 1 })
    writeFileSync(path, '1@another-host.example')
    await expect(acquireFileLock(path, 100)).rejects.toThrow(
      /locked by another process \(1@another-host\.example\)/,
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
