import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createCheckpoint, ledgerLeafHashes } from '../../../src/audit/checkpoint-store.js'
import { verifyCosignatures } from '../../../src/audit/cosignature.js'
import { appendEvents } from '../../../src/audit/ledger.js'
import { consistencyProof } from '../../../src/audit/merkle.js'
import { formatVerifierKey, parseVerifierKey, signNote } from '../../../src/audit/signed-note.js'
import { loadOrCreateCosigner, serveWitness, Witness } from '../../../src/audit/witness.js'
import { buildLedger, events } from '../../unit/audit/audit-fixture.js'

// A real witness on 127.0.0.1, driven over HTTP with checkpoints of a real ledger.
const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function setup() {
  const l = await buildLedger(0, [])
  cleanups.push(l.home.cleanup)
  const origin = 'goblin/test'
  // The log's key as the witness knows it: named as the log's origin.
  const logKey = parseVerifierKey(formatVerifierKey(origin, l.signer.publicKey))
  const signer = { ...l.signer, name: origin, keyId: logKey.keyId }
  const dir = join(l.home.path, 'witness')
  const witness = new Witness(dir, loadOrCreateCosigner(dir, 'witness.test/w1'), [logKey])
  const server = await serveWitness(witness, '127.0.0.1', 0)
  cleanups.push(server.close)
  const grow = async (n: number) => {
    await appendEvents(l.ledgerDir, events(n, `g${Math.random()}`), l.signer)
    const created = await createCheckpoint(l.ledgerDir, l.signer, origin)
    return { ...created, note: signNote(created.note.slice(0, created.note.indexOf('\n\n') + 1), [signer]) }
  }
  const proof = async (from: number, to: number) =>
    consistencyProof((await ledgerLeafHashes(l.ledgerDir)).leaves, from, to)
      .map((h) => `${h.toString('base64')}\n`)
      .join('')
  const post = async (body: string) => {
    const r = await fetch(new URL('add-checkpoint', server.url), { method: 'POST', body })
    return { status: r.status, type: r.headers.get('content-type'), body: await r.text() }
  }
  return { ...l, witness, server, grow, proof, post, origin }
}

describe('goblin witness (c2sp.org/tlog-witness) over HTTP', () => {
  it('cosigns a first checkpoint from size 0, then only consistent extensions of it', async () => {
    const w = await setup()
    const first = await w.grow(5)
    const ok = await w.post(`old 0\n\n${first.note}`)
    expect(ok.status).toBe(200)
    const cosigned = verifyCosignatures(`${first.note}${ok.body}`, [w.witness.cosigner])
    expect(cosigned.verified).toEqual([expect.objectContaining({ name: 'witness.test/w1' })])
    expect(w.witness.latest(w.origin)).toBe(`${first.note}${ok.body}`)

    const second = await w.grow(4)
    // The old size must be the one it cosigned: 409 says which, as text/x.tlog.size.
    expect(await w.post(`old 0\n\n${second.note}`)).toEqual({
      status: 409,
      type: 'text/x.tlog.size',
      body: '5\n',
    })
    const bad = (await w.proof(5, 9)).replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))
    const wrong = await w.post(`old 5\n${bad}\n${second.note}`)
    expect(wrong.status).toBe(422)
    expect((await w.post(`old 5\n${await w.proof(5, 9)}\n${second.note}`)).status).toBe(200)
    expect(w.witness.latest(w.origin)?.split('\n')[1]).toBe('9')
    // The monitoring endpoint serves what it cosigned.
    const { createHash } = await import('node:crypto')
    const monitored = await fetch(
      new URL(`${createHash('sha256').update(w.origin).digest('hex')}/checkpoint`, w.server.url),
    )
    expect(await monitored.text()).toBe(w.witness.latest(w.origin))
  })

  it('answers 404, 403, 400 and 422 as the spec says', async () => {
    const w = await setup()
    const c = await w.grow(3)
    const otherOrigin = c.note.replace(/^goblin\/test/, 'example.com/unknown')
    expect((await w.post(`old 0\n\n${otherOrigin}`)).status).toBe(404)
    const unsigned = `${c.note.slice(0, c.note.indexOf('\n\n') + 2)}\u2014 goblin/test AAAAAAAA\n`
    expect((await w.post(`old 0\n\n${unsigned}`)).status).toBe(403)
    const forged = c.note.replace('\n3\n', '\n4\n')
    expect((await w.post(`old 0\n\n${forged}`)).status).toBe(403)
    expect((await w.post(`old 7\n\n${c.note}`)).status).toBe(400)
    expect((await w.post(`old x\n\n${c.note}`)).status).toBe(400)
    expect((await w.post(`old 0\n${await w.proof(1, 3)}\n${c.note}`)).status).toBe(422)
    expect(w.witness.latest(w.origin)).toBeNull()
    expect((await fetch(new URL('add-checkpoint', w.server.url))).status).toBe(404)
  })
})
