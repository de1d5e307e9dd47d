import { cpSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createCheckpoint } from '../../../src/audit/checkpoint-store.js'
import { loadSigner } from '../../../src/audit/keyring.js'
import { appendEvents, ledgerPaths } from '../../../src/audit/ledger.js'
import { resolveTrustedKeys } from '../../../src/audit/trust.js'
import { statePath } from '../../../src/audit/verifier-state.js'
import { verifyLedger } from '../../../src/audit/verify.js'
import { buildLedger, events } from './audit-fixture.js'

// An attacker with write access to the ledger directory (not to the verifier's GOBLIN_HOME) deletes
// checkpoints, cuts the log back, or serves another copy. Each case names its kind and file.

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

const ORIGIN = 'goblin/test'

async function setup() {
  const l = await buildLedger(10, [4, 10])
  cleanups.push(l.home.cleanup)
  const stateDir = join(l.home.path, 'verified')
  const verify = (ledgerDir = l.ledgerDir, extra: { since?: { note: string; file: string } } = {}) =>
    verifyLedger(ledgerDir, resolveTrustedKeys({ keysDir: l.keysDir }), {
      origins: [ORIGIN],
      stateDir,
      ...extra,
    })
  const checkpoint = (size: number, dir = l.ledgerDir) => join(ledgerPaths(dir).checkpoints, `${size}.note`)
  return { ...l, stateDir, verify, checkpoint }
}

const kinds = (report: { errors: Array<{ kind: string }> }) => report.errors.map((e) => e.kind).sort()

describe('verification state (rollback, vanished checkpoints, forks)', () => {
  it('remembers the largest verified checkpoint per origin', async () => {
    const l = await setup()
    const first = await l.verify()
    expect(first).toMatchObject({ ok: true, since: null, remembered: { origin: ORIGIN, size: 10 } })
    expect(readFileSync(statePath(l.stateDir, ORIGIN), 'utf8')).toBe(readFileSync(l.checkpoint(10), 'utf8'))
    await appendEvents(l.ledgerDir, events(3, 'more'), l.signer)
    await createCheckpoint(l.ledgerDir, l.signer, ORIGIN)
    const second = await l.verify()
    expect(second).toMatchObject({ ok: true, since: { size: 10 }, remembered: { size: 13 } })
  })

  it('reports a deleted checkpoint as vanished', async () => {
    const l = await setup()
    expect((await l.verify()).ok).toBe(true)
    rmSync(l.checkpoint(10))
    const report = await l.verify()
    // Gone from checkpoints/, yet both this machine's state and the published checkpoint name it.
    expect(report.errors).toEqual([
      expect.objectContaining({
        kind: 'checkpoint-vanished',
        file: join(l.ledgerDir, 'checkpoint'),
        message: expect.stringContaining('publishes checkpoint 10'),
      }),
      expect.objectContaining({
        kind: 'checkpoint-vanished',
        file: statePath(l.stateDir, ORIGIN),
        message: expect.stringContaining('checkpoint 10 of goblin/test'),
      }),
    ])
    // A copy without the published checkpoint still tells by the state alone.
    rmSync(join(l.ledgerDir, 'checkpoint'))
    expect(kinds(await l.verify())).toEqual(['checkpoint-vanished'])
    // Nothing is remembered from a failed run: the state still holds size 10.
    expect(readFileSync(statePath(l.stateDir, ORIGIN), 'utf8')).toContain('\n10\n')
  })

  it('reports every checkpoint deleted and the log cut back to an earlier size', async () => {
    const l = await setup()
    expect((await l.verify()).ok).toBe(true)
    const log = ledgerPaths(l.ledgerDir).log
    const lines = readFileSync(log, 'utf8').split('\n')
    truncateSync(log, lines.slice(0, 4).join('\n').length + 1)
    rmSync(l.checkpoint(10))
    rmSync(join(l.ledgerDir, 'checkpoint'))
    let report = await l.verify()
    expect(kinds(report)).toEqual(['checkpoint-vanished', 'log-rolled-back'])
    expect(report.errors.find((e) => e.kind === 'log-rolled-back')?.message).toMatch(
      /the log has 4 entries but checkpoint 10 .* vouched for 10/,
    )
    rmSync(ledgerPaths(l.ledgerDir).checkpoints, { recursive: true })
    report = await l.verify()
    expect(kinds(report)).toEqual(['checkpoint-vanished', 'log-rolled-back'])
  })

  it('reports a fork: another copy of the log, grown differently, verified after the first', async () => {
    const l = await setup()
    const copy = join(l.home.path, 'copy')
    cpSync(l.ledgerDir, copy, { recursive: true })
    // Both copies go on from size 10 with different entries, each checkpointed with the real key.
    await appendEvents(l.ledgerDir, events(5, 'a'), l.signer)
    await createCheckpoint(l.ledgerDir, l.signer, ORIGIN)
    await appendEvents(copy, events(6, 'b'), l.signer)
    await createCheckpoint(copy, l.signer, ORIGIN)
    expect((await l.verify()).remembered).toMatchObject({ size: 15 })
    const report = await l.verify(copy)
    // The copy is longer (16) yet does not extend the 15 entries verified before.
    expect(kinds(report)).toEqual(['checkpoint-inconsistent', 'checkpoint-vanished'])
    expect(report.errors.find((e) => e.kind === 'checkpoint-inconsistent')).toMatchObject({
      file: l.checkpoint(16, copy),
      message: expect.stringMatching(/checkpoint 16 does not extend checkpoint 15 .*the old tree of size 15/),
    })
  })

  it('reports a log rewritten below a remembered checkpoint whose newer checkpoints were removed', async () => {
    const l = await setup()
    expect((await l.verify()).ok).toBe(true)
    // Rewrite from scratch with the real key and checkpoint it at a smaller size.
    const fresh = join(l.home.path, 'fresh')
    const { signer } = loadSigner(l.keysDir)
    await appendEvents(fresh, events(12, 'forged'), signer)
    await createCheckpoint(fresh, signer, ORIGIN)
    rmSync(l.ledgerDir, { recursive: true })
    cpSync(fresh, l.ledgerDir, { recursive: true })
    const report = await l.verify()
    expect(kinds(report)).toEqual(['checkpoint-inconsistent', 'checkpoint-vanished'])
  })

  it('checks --since-checkpoint against the current checkpoint, and a state file that no longer verifies', async () => {
    const l = await setup()
    const since = { note: readFileSync(l.checkpoint(4), 'utf8'), file: 'old.note' }
    expect((await l.verify(l.ledgerDir, { since })).ok).toBe(true)
    const forged = await buildLedger(6, [4])
    cleanups.push(forged.home.cleanup)
    const otherKey = {
      note: readFileSync(join(ledgerPaths(forged.ledgerDir).checkpoints, '4.note'), 'utf8'),
      file: 'x.note',
    }
    expect(kinds(await l.verify(l.ledgerDir, { since: otherKey }))).toEqual(['checkpoint-signature'])
    writeFileSync(
      statePath(l.stateDir, ORIGIN),
      readFileSync(l.checkpoint(10), 'utf8').replace('\n10\n', '\n11\n'),
    )
    const report = await l.verify()
    expect(report.errors).toEqual([
      expect.objectContaining({ kind: 'checkpoint-signature', file: statePath(l.stateDir, ORIGIN) }),
    ])
  })
})
