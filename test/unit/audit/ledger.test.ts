import { appendFileSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createCheckpoint } from '../../../src/audit/checkpoint-store.js'
import { generateKey, loadSigner } from '../../../src/audit/keyring.js'
import { appendEvents, ledgerPaths, repairLedger } from '../../../src/audit/ledger.js'
import { leafHash } from '../../../src/audit/merkle.js'
import { proveConsistency, proveInclusion } from '../../../src/audit/proofs.js'
import { auditDirs, events } from './audit-fixture.js'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})
async function setup() {
  const d = auditDirs()
  cleanups.push(d.home.cleanup)
  await generateKey(d.keysDir, 'ci')
  return { ...d, signer: loadSigner(d.keysDir).signer, log: ledgerPaths(d.ledgerDir).log }
}

describe('ledger', () => {
  it('appends canonical lines with continuous seqs and reports their leaf hashes', async () => {
    const { ledgerDir, signer, log } = await setup()
    const a = await appendEvents(ledgerDir, events(3), signer)
    const b = await appendEvents(ledgerDir, events(2), signer)
    expect([...a, ...b].map((e) => e.seq)).toEqual([0, 1, 2, 3, 4])
    const lines = readFileSync(log, 'utf8').split('\n')
    expect(lines).toHaveLength(6)
    expect(leafHash(Buffer.from(lines[3] as string)).toString('hex')).toBe(b[0]?.leaf_hash)
    expect(await appendEvents(ledgerDir, [], signer)).toEqual([])
  })

  it('a batch refused after megabytes were written appends nothing: the file is cut back to where it began', async () => {
    const { ledgerDir, signer, log } = await setup()
    await appendEvents(ledgerDir, events(2), signer)
    const before = readFileSync(log)
    // 8,000 ordinary events (over 2 MiB of lines, written in chunks) and then one too large for a tile bundle.
    const batch = [
      ...events(8000, 'big'),
      {
        goblin_id: 'g',
        action: 'huge',
        decision: 'allow',
        trace_id: null,
        attrs: { blob: 'x'.repeat(70_000) },
      },
    ]
    await expect(appendEvents(ledgerDir, batch, signer)).rejects.toMatchObject({
      code: 'AUDIT_ENTRY_TOO_LARGE',
      message: expect.stringContaining('event 8001 of the batch'),
    })
    expect(readFileSync(log)).toEqual(before)
    const streamed: number[] = []
    const returned = await appendEvents(ledgerDir, events(3, 'next'), signer, {
      onEntry: (e) => streamed.push(e.seq),
    })
    expect([returned, streamed]).toEqual([[], [2, 3, 4]])
  })

  it('refuses to append after a torn line; repair sets it aside and keeps every entry before it', async () => {
    const { ledgerDir, signer, log } = await setup()
    await appendEvents(ledgerDir, events(3), signer)
    const before = readFileSync(log)
    appendFileSync(log, '{"action":"torn by a cr')
    await expect(appendEvents(ledgerDir, events(1), signer)).rejects.toMatchObject({
      code: 'AUDIT_TORN_LINE',
      exit: 1,
    })
    await expect(createCheckpoint(ledgerDir, signer, 'o')).rejects.toMatchObject({ code: 'AUDIT_TORN_LINE' })
    const repaired = await repairLedger(ledgerDir)
    expect(repaired.torn).toEqual({ line: 4, offset: before.length, bytes: 23 })
    expect(readFileSync(log).equals(before)).toBe(true)
    expect(readFileSync(repaired.savedTo as string, 'utf8')).toBe('{"action":"torn by a cr')
    expect(readdirSync(join(ledgerDir, 'torn'))).toHaveLength(1)
    expect((await repairLedger(ledgerDir)).torn).toBeNull()
    expect((await appendEvents(ledgerDir, events(1), signer))[0]?.seq).toBe(3)
  })

  it('proves inclusion and consistency against the ledger, refusing sizes beyond it', async () => {
    const { ledgerDir, signer } = await setup()
    await appendEvents(ledgerDir, events(7), signer)
    const proof = await proveInclusion(ledgerDir, 3)
    expect(proof).toMatchObject({ index: 3, size: 7 })
    expect(proof.proof).toHaveLength(3)
    const consistency = await proveConsistency(ledgerDir, 3, 7)
    expect(consistency.proof.length).toBeGreaterThan(0)
    await expect(proveInclusion(ledgerDir, 7)).rejects.toMatchObject({ code: 'AUDIT_BAD_INDEX', exit: 2 })
    await expect(proveInclusion(ledgerDir, 0, 8)).rejects.toMatchObject({ code: 'AUDIT_BAD_SIZE' })
    await expect(proveConsistency(ledgerDir, 5, 3)).rejects.toMatchObject({ code: 'AUDIT_BAD_SIZE' })
  })
})

describe('sealEntry', () => {
  it('writes exactly the canonical JSON of the signed envelope, nested trace_id keys included', async () => {
    const { signer } = await setup()
    const { sealEntry, entryBytes } = await import('../../../src/audit/envelope.js')
    for (const attrs of [undefined, { trace_id: 'x', sig: 'y', z: { trace_id: null } }]) {
      const { envelope, bytes } = sealEntry(
        { goblin_id: 'g', action: 'a', decision: 'd', trace_id: null, ...(attrs ? { attrs } : {}) },
        7,
        new Date(),
        signer,
      )
      expect(bytes.equals(entryBytes(envelope))).toBe(true)
    }
  })
})
