import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bitcoinCoreSource, blockHeaderSource, esploraSource } from '../../../src/anchor/bitcoin-headers.js'
import { parseOts, serializeOts } from '../../../src/anchor/ots-codec.js'
import { stampRoot, upgradeProof } from '../../../src/anchor/ots-stamp.js'
import { verifyOtsProof } from '../../../src/anchor/ots-verify.js'
import { GoblinError } from '../../../src/core/errors.js'
import { BitcoinPeer } from '../../support/bitcoin-peer.js'
import { CalendarPeer } from '../../support/ots-calendar-peer.js'

const root = createHash('sha256').update('a checkpoint root').digest()
let alice: CalendarPeer
let bob: CalendarPeer
let bitcoin: BitcoinPeer

beforeAll(async () => {
  ;[alice, bob, bitcoin] = await Promise.all([
    new CalendarPeer().start(),
    new CalendarPeer().start(),
    new BitcoinPeer().start(),
  ])
})
afterAll(async () => {
  await Promise.all([alice.stop(), bob.stop(), bitcoin.stop()])
})

describe('the OpenTimestamps calendar protocol against local calendar test peers', () => {
  it('stamps, stays pending until mined, upgrades to a Bitcoin attestation, and verifies via Esplora and RPC', async () => {
    const stamped = await stampRoot(root, [alice.url, bob.url])
    expect(stamped.calendars.every((c) => c.ok)).toBe(true)
    expect(alice.requests).toContain('POST /digest')
    // The calendars only ever see the nonce-blinded commitment, never the root.
    const bytes = serializeOts(stamped.proof)
    const proof = parseOts(bytes)
    expect(Buffer.from(proof.digest).equals(root)).toBe(true)

    const before = await verifyOtsProof(proof, root)
    expect(before.attestations.map((a) => a.status)).toEqual(['pending', 'pending'])

    const early = await upgradeProof(proof, [alice.url, bob.url])
    expect(early.changed).toBe(false)
    expect(early.outcomes.map((o) => o.status)).toEqual(['pending', 'pending'])

    const header = alice.mine(900_001)
    bitcoin.headers.set(900_001, header)
    const upgraded = await upgradeProof(proof, [alice.url, bob.url])
    expect(upgraded.changed).toBe(true)
    expect(upgraded.outcomes.map((o) => o.status).sort()).toEqual(['pending', 'upgraded'])

    const reparsed = parseOts(serializeOts(proof))
    for (const source of [
      esploraSource(`${bitcoin.url}/esplora`),
      bitcoinCoreSource(`http://user:secret@${bitcoin.url.slice(7)}/rpc`),
    ]) {
      const result = await verifyOtsProof(reparsed, root, { headers: source })
      expect(result.verified).toBe(true)
      expect(result.attestations.map((a) => a.status).sort()).toEqual(['pending', 'verified'])
      expect(result.provenBy).toBe(new Date(1_760_000_000 * 1000).toISOString())
    }
  })

  it('one calendar down still stamps; all down is exit 3', async () => {
    const dead = 'http://127.0.0.1:1'
    const partial = await stampRoot(root, [dead, alice.url])
    expect(partial.calendars.map((c) => c.ok)).toEqual([false, true])
    const error = await stampRoot(root, [dead]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(GoblinError)
    expect((error as GoblinError).exit).toBe(3)
    expect((error as GoblinError).message).toContain('no OpenTimestamps calendar accepted the root')
  })

  it('upgrade contacts only configured or public calendars', async () => {
    const stamped = await stampRoot(root, [alice.url])
    const result = await upgradeProof(stamped.proof, [bob.url])
    expect(result.outcomes).toEqual([
      { calendar: alice.url, status: 'skipped', detail: 'not a configured or public calendar' },
    ])
  })

  it('a lying header source is caught by the header hash; an unknown block and an unreachable one are errors', async () => {
    const stamped = await stampRoot(root, [bob.url])
    bitcoin.headers.set(900_002, bob.mine(900_002))
    await upgradeProof(stamped.proof, [bob.url])
    bitcoin.lie = true
    try {
      await expect(
        verifyOtsProof(stamped.proof, root, { headers: esploraSource(`${bitcoin.url}/esplora`) }),
      ).rejects.toThrow(/header hashes to .* not 0{64}/)
    } finally {
      bitcoin.lie = false
    }
    const rpc = bitcoinCoreSource(`http://user:secret@${bitcoin.url.slice(7)}/rpc`)
    await expect(rpc.header(5)).rejects.toThrow(/getblockhash: Block height out of range/)
    const down = await esploraSource('http://127.0.0.1:1')
      .header(1)
      .catch((e: unknown) => e)
    expect((down as GoblinError).exit).toBe(3)
  })

  it('parses source specs and reads the real header file fixture', async () => {
    const file = blockHeaderSource(
      `file:${join(import.meta.dirname, '../../fixtures/anchor/bitcoin-headers.txt')}`,
    )
    expect((await file.header(358391)).hash).toBe(
      '000000000000000003e892881a8cdcdc117c06d444057c98b6f04a9ee75a2319',
    )
    expect(() => blockHeaderSource('ftp://x')).toThrow(/is not file:PATH/)
  })
})
