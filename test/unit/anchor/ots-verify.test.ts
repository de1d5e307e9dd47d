import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { headerFileSource, parseBlockHeader } from '../../../src/anchor/bitcoin-headers.js'
import { parseOts } from '../../../src/anchor/ots-codec.js'
import { applyOp, replayTimestamp } from '../../../src/anchor/ots-ops.js'
import { verifyOtsProof } from '../../../src/anchor/ots-verify.js'
import { tempDir } from '../../helpers/cli.js'

const FIXTURES = join(import.meta.dirname, '../../fixtures/anchor')
const proof = (name: string) => parseOts(readFileSync(join(FIXTURES, 'ots', name)), name)
const headers = headerFileSource(join(FIXTURES, 'bitcoin-headers.txt'))

describe('replaying reference proofs', () => {
  it('hello-world.txt.ots replays to block 358391’s Merkle root', () => {
    const p = proof('hello-world.txt.ots')
    const [only, ...rest] = replayTimestamp(p.digest, p.timestamp)
    expect(rest).toHaveLength(0)
    expect(only?.attestation).toEqual({ kind: 'bitcoin', height: 358391 })
    expect(Buffer.from(only?.message ?? []).toString('hex')).toBe(
      '007ee445d23ad061af4a36b809501fab1ac4f2d7e7a739817dd0cbb7ec661b8a',
    )
  })

  it('the upgraded incomplete.txt.ots replays to block 428648’s Merkle root (display order reversed)', () => {
    const p = proof('incomplete-upgraded.txt.ots')
    const bitcoin = replayTimestamp(p.digest, p.timestamp).find((r) => r.attestation.kind === 'bitcoin')
    expect(bitcoin?.attestation).toEqual({ kind: 'bitcoin', height: 428648 })
    expect(
      Buffer.from(bitcoin?.message ?? [])
        .reverse()
        .toString('hex'),
    ).toBe('078cdde9c89f2e3c58c96b1658627fd9298c63c6618954ea24ac3b5a13fe18da')
  })

  it('different-blockchains.txt.ots replays keccak256 paths to Ethereum and Bitcoin attestations', () => {
    const p = proof('different-blockchains.txt.ots')
    const kinds = replayTimestamp(p.digest, p.timestamp).map((r) => r.attestation.kind)
    expect(kinds.sort()).toEqual(['bitcoin', 'ethereum', 'pending', 'pending'])
  })

  it('applies each op as the reference does', () => {
    const msg = Buffer.from('abc')
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
    expect(hex(applyOp({ op: 'sha1' }, msg))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d')
    expect(hex(applyOp({ op: 'ripemd160' }, msg))).toBe('8eb208f7e05d987a9b044a8e98c6b087f15a0bfc')
    expect(hex(applyOp({ op: 'keccak256' }, msg))).toBe(
      '4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45',
    )
    expect(Buffer.from(applyOp({ op: 'reverse' }, msg)).toString()).toBe('cba')
    expect(Buffer.from(applyOp({ op: 'hexlify' }, msg)).toString()).toBe('616263')
    expect(Buffer.from(applyOp({ op: 'prepend', arg: Buffer.from('x') }, msg)).toString()).toBe('xabc')
  })
})

describe('verifying against block headers', () => {
  const digest = proof('hello-world.txt.ots').digest

  it('verifies hello-world.txt.ots against the real header of block 358391 (offline file)', async () => {
    const result = await verifyOtsProof(proof('hello-world.txt.ots'), digest, { headers })
    expect(result.digestMatches).toBe(true)
    expect(result.verified).toBe(true)
    expect(result.provenBy).toBe('2015-05-28T15:41:18.000Z')
    expect(result.attestations[0]?.detail).toContain(
      '000000000000000003e892881a8cdcdc117c06d444057c98b6f04a9ee75a2319',
    )
  })

  it('without a header source the path is replayed and the Bitcoin attestation left unchecked', async () => {
    const result = await verifyOtsProof(proof('hello-world.txt.ots'), digest)
    expect(result.verified).toBe(false)
    expect(result.attestations.map((a) => a.status)).toEqual(['unchecked'])
  })

  it('a proof for another digest does not verify', async () => {
    const result = await verifyOtsProof(proof('hello-world.txt.ots'), Buffer.alloc(32, 1), { headers })
    expect(result.digestMatches).toBe(false)
    expect(result.verified).toBe(false)
  })

  it('a tampered path fails against the block', async () => {
    const p = proof('hello-world.txt.ots')
    // hello-world starts ripemd160 → prepend(200-byte transaction prefix): flip a byte of that transaction.
    const prepend = p.timestamp.ops[0]?.next.ops[0]?.op
    expect(prepend?.op).toBe('prepend')
    if (prepend && 'arg' in prepend) prepend.arg[10] = (prepend.arg[10] ?? 0) ^ 1
    const result = await verifyOtsProof(p, digest, { headers })
    expect(result.verified).toBe(false)
    expect(result.attestations[0]?.status).toBe('failed')
    expect(result.attestations[0]?.detail).toContain(
      '8a1b66ecb7cbd07d8139a7e7d7f2c41aab1f5009b8364aaf61d03ad245e47e00',
    )
  })

  it('a block missing from the headers file is a clear error', async () => {
    await expect(
      verifyOtsProof(proof('incomplete-upgraded.txt.ots'), Buffer.alloc(32), { headers }),
    ).rejects.toThrow(/has no header for block 428648/)
  })

  it('parses a header: hash, Merkle root in internal order, time', () => {
    const line = readFileSync(join(FIXTURES, 'bitcoin-headers.txt'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('358391'))
    const header = parseBlockHeader(Buffer.from(line?.split(' ')[1] ?? '', 'hex'), 358391, 'fixture')
    expect(header.hash).toBe('000000000000000003e892881a8cdcdc117c06d444057c98b6f04a9ee75a2319')
    expect(header.time).toBe(1432827678)
  })

  it('a malformed headers file names the line', () => {
    const dir = tempDir()
    try {
      const path = join(dir.path, 'h.txt')
      writeFileSync(path, '# ok\n12 abcd\n')
      expect(() => headerFileSource(path)).toThrow(/h\.txt:2: expected/)
    } finally {
      dir.cleanup()
    }
  })
})
