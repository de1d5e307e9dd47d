import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { generateKey, keyringSigningSession, loadKeyring } from '../../../src/audit/keyring.js'
import { appendEvents } from '../../../src/audit/ledger.js'
import { resolveTrustedKeys } from '../../../src/audit/trust.js'
import { verifyLedger } from '../../../src/audit/verify.js'
import { GOBLIN_BIN, tempDir } from '../../helpers/cli.js'
import { events } from '../../unit/audit/audit-fixture.js'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

/** `goblin audit keys rotate` as its own process (the built CLI), as a user runs it beside a long sign. */
function rotateInAnotherProcess(home: string, name: string): { child: ChildProcess; done: Promise<number> } {
  const child = spawn(process.execPath, [GOBLIN_BIN, 'audit', 'keys', 'rotate', name], {
    env: { ...process.env, GOBLIN_HOME: home, CI: 'true', NO_COLOR: '1' },
    stdio: 'ignore',
  })
  return { child, done: new Promise((resolve) => child.on('exit', (code) => resolve(code ?? -1))) }
}

function rotatedYet(keysDir: string): boolean {
  return loadKeyring(keysDir).keys.some((k) => k.valid_until !== null)
}

describe('key rotation during a long signing batch', () => {
  it('never leaves an entry outside its key window: the rotation waits for the batch, then the successor signs', async () => {
    const home = tempDir('goblin-rotate-')
    cleanups.push(home.cleanup)
    const keysDir = join(home.path, 'keys')
    const ledgerDir = join(home.path, 'audit')
    await generateKey(keysDir, 'ci')
    let rotation: ReturnType<typeof rotateInAnotherProcess> | undefined
    let sawRotationMidBatch = false
    // The clock is asked once per entry: on the first stamp, another process rotates the key, and this
    // batch keeps stamping for up to 3 s or until that rotation has landed in the keyring (the attack:
    // without the keyring lock held, the rest of the batch is stamped after the key's valid_until).
    const now = () => {
      if (!rotation) {
        rotation = rotateInAnotherProcess(home.path, 'ci')
        const until = Date.now() + 3000
        while (Date.now() < until && !rotatedYet(keysDir)) {}
        sawRotationMidBatch = rotatedYet(keysDir)
      }
      return new Date()
    }
    const batch = await appendEvents(ledgerDir, events(500), keyringSigningSession(keysDir, 'ci'), { now })
    expect(sawRotationMidBatch).toBe(false)
    expect(await rotation?.done).toBe(0)
    const [first, second] = loadKeyring(keysDir).keys
    expect(batch.every((e) => e.envelope.kid === first?.kid)).toBe(true)
    const lastTs = Date.parse(batch.at(-1)?.envelope.ts ?? '')
    expect(Date.parse(first?.valid_until ?? '')).toBeGreaterThan(lastTs)
    // The same session, after the rotation, signs with the successor without being rebuilt.
    const after = await appendEvents(ledgerDir, events(3), keyringSigningSession(keysDir, 'ci'))
    expect(after.map((e) => e.envelope.kid)).toEqual([second?.kid, second?.kid, second?.kid])
    const report = await verifyLedger(ledgerDir, resolveTrustedKeys({ keysDir }))
    expect(report.errors).toEqual([])
    expect(report.entries).toBe(503)
    expect(readFileSync(join(ledgerDir, 'log.jsonl'), 'utf8').split('\n')).toHaveLength(504)
  }, 60_000)
})
