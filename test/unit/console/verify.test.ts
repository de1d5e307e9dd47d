import { describe, expect, it } from 'vitest'
import {
  importVerifierKey,
  openCheckpoint,
  rootFromInclusionProof,
  verifyEntrySignature,
  verifyInclusion,
} from '../../../console/src/verify.js'
import { formatCheckpoint } from '../../../src/audit/checkpoint.js'
import { generateSeed } from '../../../src/audit/ed25519.js'
import { sealEntry } from '../../../src/audit/envelope.js'
import { inclusionProof, leafHash, packLeafHashes, rootHash } from '../../../src/audit/merkle.js'
import {
  formatSignerKey,
  formatVerifierKey,
  parseSignerKey,
  signNote,
} from '../../../src/audit/signed-note.js'

// The console's in-browser verifier (WebCrypto; Node 24 has the same API), against goblin's own signer,
// ledger lines, checkpoints and RFC 9162 proofs from src/audit: what the page checks is what the CLI wrote.
const signer = parseSignerKey(formatSignerKey('goblin', generateSeed()))
const other = parseSignerKey(formatSignerKey('goblin', generateSeed()))
const vkey = formatVerifierKey(signer.name, signer.publicKey)

async function keys() {
  const key = await importVerifierKey(vkey)
  if ('error' in key) throw new Error(key.error)
  return [key]
}

function ledger(n: number) {
  const lines = Array.from({ length: n }, (_, seq) =>
    sealEntry(
      { goblin_id: 'g', action: 'tool.call', decision: seq % 2 ? 'deny' : 'allow', trace_id: null },
      seq,
      new Date(0),
      signer,
    ).bytes.toString('utf8'),
  )
  const leaves = packLeafHashes(lines.map((l) => leafHash(Buffer.from(l))))
  const note = signNote(formatCheckpoint({ origin: 'goblin/goblin', size: n, root: rootHash(leaves) }), [
    signer,
  ])
  return { lines, leaves, note }
}

describe('console verify (WebCrypto)', () => {
  it('imports a verifier key only when its hash matches', async () => {
    expect('error' in (await importVerifierKey(vkey))).toBe(false)
    const wrongHash = vkey.replace(
      /\+([0-9a-f]{8})\+/,
      (_, h: string) => `+${h === '00000000' ? '11111111' : '00000000'}+`,
    )
    expect(await importVerifierKey(wrongHash)).toEqual({
      error: 'goblin: the key hash does not match the key',
    })
  })

  it('checks an entry signature, and catches an edited entry and an unknown key', async () => {
    const { lines } = ledger(1)
    const line = lines[0] as string
    expect(await verifyEntrySignature(line, await keys())).toBe('valid')
    expect(await verifyEntrySignature(line.replace('"allow"', '"deny"'), await keys())).toBe('invalid')
    expect(await verifyEntrySignature(line, [])).toBe('unknown-key')
    expect(await verifyEntrySignature('{', await keys())).toBe('malformed')
  })

  it('opens a checkpoint signed by a trusted key, and refuses another key and an edited body', async () => {
    const { note } = ledger(3)
    const opened = await openCheckpoint(note, await keys())
    expect(opened).toMatchObject({ origin: 'goblin/goblin', size: 3, signedBy: ['goblin'] })
    const forged = signNote(formatCheckpoint({ origin: 'goblin/goblin', size: 3, root: Buffer.alloc(32) }), [
      other,
    ])
    expect(await openCheckpoint(forged, await keys())).toEqual({
      error: 'no signature by a trusted key verifies over the checkpoint',
    })
    expect(await openCheckpoint(note.replace('\n3\n', '\n4\n'), await keys())).toEqual({
      error: 'no signature by a trusted key verifies over the checkpoint',
    })
  })

  it('verifies every RFC 9162 inclusion proof of goblin trees of size 1 to 33', async () => {
    for (let size = 1; size <= 33; size++) {
      const { lines, leaves, note } = ledger(size)
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(leaves, index, size).map((h) => h.toString('hex'))
        const state = await verifyInclusion(lines[index] as string, index, note, proof, await keys())
        expect(state.state, `index ${index} size ${size}`).toBe('included')
      }
    }
  })

  it('refuses a proof for another index, a short or long proof, and an edited entry', async () => {
    const { lines, leaves, note } = ledger(7)
    const proof = inclusionProof(leaves, 3, 7).map((h) => h.toString('hex'))
    const k = await keys()
    expect((await verifyInclusion(lines[3] as string, 2, note, proof, k)).state).toBe('not-included')
    expect(await verifyInclusion(lines[3] as string, 3, note, proof.slice(1), k)).toEqual({
      state: 'not-included',
      reason: 'the proof is too short for the tree',
    })
    const leaf = leafHash(Buffer.from(lines[3] as string))
    expect(
      await rootFromInclusionProof(
        3,
        7,
        new Uint8Array(leaf),
        [...proof, ...proof].map((h) => new Uint8Array(Buffer.from(h, 'hex'))),
      ),
    ).toEqual({
      error: 'the proof has more than the 6 hashes the tree needs',
    })
    const edited = await verifyInclusion((lines[3] as string).replace('"deny"', '"DENY"'), 3, note, proof, k)
    expect(edited.state).toBe('not-included')
    expect(await verifyInclusion(lines[6] as string, 7, note, [], k)).toEqual({
      state: 'pending',
      reason: 'the latest checkpoint covers 7 entries',
    })
  })
})
