import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  consistencyProof,
  EMPTY_ROOT,
  inclusionProof,
  type LeafHashes,
  leafHash,
  packLeafHashes,
  rootFromInclusionProof,
  rootHash,
  TreeBuilder,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/audit/merkle.js'

const vectors = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../fixtures/audit/ct-merkle-vectors.json'), 'utf8'),
) as {
  leaves: string[]
  roots: string[]
  emptyRoot: string
  inclusion: Array<{ index: number; size: number; proof: string[] }>
  consistency: Array<{ size1: number; size2: number; proof: string[] }>
}
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const unhex = (s: string) => Buffer.from(s, 'hex')
const leaves: LeafHashes = packLeafHashes(vectors.leaves.map((l) => leafHash(unhex(l))))
const someHash = unhex('abacaba000000000000000000000000000000000000000000060061e00123456')

describe('Merkle tree (RFC 6962 / CT reference vectors)', () => {
  it('computes the empty root and the root of every prefix', () => {
    expect(hex(EMPTY_ROOT)).toBe(vectors.emptyRoot)
    expect(hex(rootHash(packLeafHashes([])))).toBe(vectors.emptyRoot)
    vectors.roots.forEach((root, i) => {
      expect(hex(rootHash(leaves, 0, i + 1))).toBe(root)
    })
  })

  it('TreeBuilder agrees with the recursive definition at every size', () => {
    const builder = new TreeBuilder()
    expect(hex(builder.root())).toBe(vectors.emptyRoot)
    const many = packLeafHashes(Array.from({ length: 70 }, (_, i) => leafHash(Buffer.from([i]))))
    for (let i = 0; i < 70; i++) {
      builder.push(many.bytes.subarray(i * 32, i * 32 + 32))
      // rootHash(start=1) takes the recursive path; combine with leaf 0 via a 1-leaf left subtree only at size 2.
      expect(hex(builder.root())).toBe(hex(rootHash(many, 0, i + 1)))
    }
  })

  it('TreeBuilder keeps no view of a leaf: the caller may overwrite it after push, and a root kept stays', () => {
    // verify pushes leaves from shared buffers the workers rewrite two chunks later.
    const builder = new TreeBuilder()
    const many = packLeafHashes(Array.from({ length: 70 }, (_, i) => leafHash(Buffer.from([i]))))
    const reused = Buffer.alloc(32)
    const kept = new Map<number, Buffer>()
    for (let i = 0; i < 70; i++) {
      reused.set(many.bytes.subarray(i * 32, i * 32 + 32))
      builder.push(reused)
      reused.fill(0xee)
      kept.set(i + 1, builder.root())
    }
    for (const [size, root] of kept) expect(hex(root)).toBe(hex(rootHash(many, 0, size)))
  })
  it.each(vectors.inclusion)(
    'builds and verifies the inclusion proof for leaf $index in size $size',
    ({ index, size, proof }) => {
      const built = inclusionProof(leaves, index, size)
      expect(built.map(hex)).toEqual(proof)
      const root = unhex(vectors.roots[size - 1] as string)
      const leaf = leaves.bytes.subarray(index * 32, index * 32 + 32)
      expect(verifyInclusion(index, size, leaf, built, root).ok).toBe(true)
      // The corruptions transparency-dev/merkle's verifier test applies must all fail.
      const probes: Array<[number, number, Uint8Array, Uint8Array[], Uint8Array]> = [
        [index - 1, size, leaf, built, root],
        [index + 1, size, leaf, built, root],
        [index ^ 2, size, leaf, built, root],
        [index, size * 2, leaf, built, root],
        [index, Math.floor(size / 2), leaf, built, root],
        [index, size, Buffer.from('WrongLeaf'), built, root],
        [index, size, leaf, built, EMPTY_ROOT],
        [index, size, leaf, built, someHash],
        [index, size, leaf, [...built, Buffer.alloc(0)], root],
        [index, size, leaf, [...built, root], root],
        [index, size, leaf, [Buffer.alloc(0), ...built], root],
        [index, size, leaf, [root, ...built], root],
        ...built.map((_, i): [number, number, Uint8Array, Uint8Array[], Uint8Array] => {
          const wrong = built.map((p, j) => (j === i ? flipBit(p, 8) : Buffer.from(p)))
          return [index, size, leaf, wrong, root]
        }),
      ]
      if (built.length > 0) probes.push([index, size, leaf, built.slice(0, -1), root])
      if (built.length > 1)
        probes.push([index, size, leaf, [built[0] as Buffer, someHash, ...built.slice(1)], root])
      for (const [i, s, l, p, r] of probes) {
        if (i === index && s === size && l === leaf && p === built && r === root) continue
        expect(verifyInclusion(i, s, l, p, r).ok).toBe(false)
      }
    },
  )

  it('refuses impossible inclusion parameters', () => {
    for (const [index, size] of [
      [0, 0],
      [1, 0],
      [2, 1],
    ] as const) {
      expect(rootFromInclusionProof(index, size, someHash, [])).toBeNull()
      expect(verifyInclusion(index, size, someHash, [], EMPTY_ROOT).ok).toBe(false)
    }
    const one = leafHash(Buffer.from('data'))
    expect(verifyInclusion(0, 1, one, [], one).ok).toBe(true)
    expect(verifyInclusion(0, 1, Buffer.alloc(0), [], one).ok).toBe(false)
    expect(() => inclusionProof(leaves, 8, 8)).toThrow(RangeError)
    expect(() => inclusionProof(leaves, 0, 9)).toThrow(RangeError)
  })

  it.each(vectors.consistency)(
    'builds and verifies the consistency proof $size1 -> $size2',
    ({ size1, size2, proof }) => {
      const built = consistencyProof(leaves, size1, size2)
      expect(built.map(hex)).toEqual(proof)
      const root1 = unhex(vectors.roots[size1 - 1] as string)
      const root2 = unhex(vectors.roots[size2 - 1] as string)
      expect(verifyConsistency(size1, size2, built, root1, root2).ok).toBe(true)
      if (built.length === 0) return
      const probes: Array<[number, number, Uint8Array[], Uint8Array, Uint8Array]> = [
        [size1 - 1, size2, built, root1, root2],
        [size1 + 1, size2, built, root1, root2],
        [size1 ^ 2, size2, built, root1, root2],
        [size1, size2 * 2, built, root1, root2],
        [size1, Math.floor(size2 / 2), built, root1, root2],
        [size1, size2, built, Buffer.from('WrongRoot'), root2],
        [size1, size2, built, root1, Buffer.from('WrongRoot')],
        [size1, size2, built, root2, root1],
        [size1, size2, [], root1, root2],
        [size1, size2, [...built, Buffer.alloc(0)], root1, root2],
        [size1, size2, [...built, root1], root1, root2],
        [size1, size2, [...built, root2], root1, root2],
        [size1, size2, [Buffer.alloc(0), ...built], root1, root2],
        [size1, size2, [root1, ...built], root1, root2],
        [size1, size2, [root2, ...built], root1, root2],
        [size1, size2, [built[0] as Buffer, ...built], root1, root2],
        [size1, size2, built.slice(0, -1), root1, root2],
        ...built.map((_, i): [number, number, Uint8Array[], Uint8Array, Uint8Array] => {
          const wrong = built.map((p, j) => (j === i ? flipBit(p, 16) : Buffer.from(p)))
          return [size1, size2, wrong, root1, root2]
        }),
      ]
      for (const [s1, s2, p, r1, r2] of probes) expect(verifyConsistency(s1, s2, p, r1, r2).ok).toBe(false)
    },
  )

  it('handles the trivial consistency cases as the reference does', () => {
    const r1 = Buffer.from("don't care 1")
    const r2 = Buffer.from("don't care 2")
    expect(verifyConsistency(0, 0, [], r1, r2).ok).toBe(false)
    expect(verifyConsistency(1, 1, [], r1, r2).ok).toBe(false)
    expect(verifyConsistency(0, 0, [], r1, r1).ok).toBe(true)
    expect(verifyConsistency(0, 1, [], r1, r2).ok).toBe(true)
    expect(verifyConsistency(1, 1, [], r2, r2).ok).toBe(true)
    expect(verifyConsistency(1, 0, [], r1, r2).ok).toBe(false)
    expect(verifyConsistency(2, 1, [], r1, r2).ok).toBe(false)
    expect(verifyConsistency(1, 2, [], r1, r2).ok).toBe(false)
    expect(verifyConsistency(0, 1, [EMPTY_ROOT], EMPTY_ROOT, EMPTY_ROOT).ok).toBe(false)
    expect(verifyConsistency(1, 1, [EMPTY_ROOT], EMPTY_ROOT, EMPTY_ROOT).ok).toBe(false)
  })

  it('proves every index and every size pair of a 40-leaf tree', () => {
    const many = packLeafHashes(Array.from({ length: 40 }, (_, i) => leafHash(Buffer.from(`entry ${i}`))))
    for (let size = 1; size <= 40; size++) {
      const root = rootHash(many, 0, size)
      for (let index = 0; index < size; index++) {
        const leaf = many.bytes.subarray(index * 32, index * 32 + 32)
        expect(verifyInclusion(index, size, leaf, inclusionProof(many, index, size), root).ok).toBe(true)
      }
      for (let from = 0; from <= size; from++) {
        const proof = consistencyProof(many, from, size)
        expect(verifyConsistency(from, size, proof, rootHash(many, 0, from), root).ok).toBe(true)
      }
    }
  })
})

describe('proof checks say why they fail', () => {
  it('names a wrong proof length, a root mismatch (expected and computed) and a shrinking log', () => {
    const root = unhex(vectors.roots[7] as string)
    const leaf = leaves.bytes.subarray(0, 32)
    const proof = inclusionProof(leaves, 0, 8)
    expect(verifyInclusion(0, 8, leaf, proof.slice(1), root)).toEqual({
      ok: false,
      reason: 'wrong proof size 2, want 3 for index 0 of 8',
    })
    const wrong = verifyInclusion(0, 8, leaf, proof, someHash)
    expect(wrong).toMatchObject({ ok: false, expected: hex(someHash), computed: hex(root) })
    const c = consistencyProof(leaves, 3, 8)
    const r3 = unhex(vectors.roots[2] as string)
    expect(verifyConsistency(3, 8, c, someHash, root)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('the old tree of size 3'),
      expected: hex(someHash),
    })
    expect(verifyConsistency(3, 8, c, r3, someHash)).toMatchObject({ ok: false, computed: hex(root) })
    expect(verifyConsistency(8, 3, [], root, r3)).toMatchObject({
      reason: expect.stringContaining('never shrinks'),
    })
  })
})

/** A copy of `bytes` with `mask` xored into its first byte: one corrupted proof hash. */
function flipBit(bytes: Uint8Array, mask: number): Buffer {
  const copy = Buffer.from(bytes)
  copy.writeUInt8(copy.readUInt8(0) ^ mask, 0)
  return copy
}
