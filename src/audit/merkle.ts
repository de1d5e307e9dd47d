import { hash } from 'node:crypto'

/**
 * The RFC 9162 (RFC 6962) Merkle tree: leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right),
 * split at the largest power of two below n, empty tree = SHA-256(""). Leaf hashes travel packed in one
 * buffer, 32 bytes each, so a million-entry tree is one allocation.
 */

export const HASH_BYTES = 32
/** The root of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = hash('sha256', Buffer.alloc(0), 'buffer')

// One-shot crypto.hash over a reused scratch buffer is markedly faster than createHash().update()
// chains for small inputs (bench/audit.js measures the Merkle root against a bare SHA-256 loop).
let leafScratch = Buffer.alloc(4096)
const nodeScratch = Buffer.alloc(1 + 2 * HASH_BYTES, 0x01)

/** SHA-256(0x00 || data): the hash of one log entry. */
export function leafHash(data: Uint8Array): Buffer {
  if (data.length + 1 > leafScratch.length) leafScratch = Buffer.alloc(2 * (data.length + 1))
  leafScratch[0] = 0x00
  leafScratch.set(data, 1)
  return hash('sha256', leafScratch.subarray(0, data.length + 1), 'buffer')
}

/** SHA-256(0x01 || left || right): an interior node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  nodeScratch.set(left, 1)
  nodeScratch.set(right, 1 + HASH_BYTES)
  return hash('sha256', nodeScratch, 'buffer')
}

/** Leaf hashes packed 32 bytes each; `count` of them. */
export interface LeafHashes {
  bytes: Uint8Array
  count: number
}

/** Packs separate 32-byte leaf hashes into one LeafHashes. */
export function packLeafHashes(hashes: Uint8Array[]): LeafHashes {
  const bytes = Buffer.allocUnsafe(hashes.length * HASH_BYTES)
  hashes.forEach((h, i) => {
    bytes.set(h, i * HASH_BYTES)
  })
  return { bytes, count: hashes.length }
}

/** The i-th leaf hash (a view, not a copy). */
export function leafAt(leaves: LeafHashes, i: number): Buffer {
  return Buffer.from(leaves.bytes.buffer, leaves.bytes.byteOffset + i * HASH_BYTES, HASH_BYTES)
}

/**
 * Folds leaves left to right, merging equal-height subtrees as they complete: the same tree RFC 6962
 * defines recursively, in n-1 node hashes and O(log n) memory. `onPrefix(size, root)` is called for each
 * size listed in `prefixSizes`, so one pass yields the roots of several checkpoints.
 */
export class TreeBuilder {
  private readonly stack: Buffer[] = []
  /**
   * A leaf waiting for its pair (the size is odd) is copied here, so the caller may reuse its bytes:
   * verify's leaves are in buffers the workers overwrite two chunks later, and a view of the last leaf
   * of a chunk, kept, was hashed as whatever they had written there by then.
   */
  private readonly lone = Buffer.alloc(HASH_BYTES)
  private size = 0

  /** Adds the next leaf hash (32 bytes; not kept, so the caller may change them afterwards). */
  push(leaf: Uint8Array): void {
    this.size++
    if (this.size % 2 === 1) {
      this.lone.set(leaf)
      this.stack.push(this.lone)
      return
    }
    let node = nodeHash(this.stack.pop() as Buffer, leaf)
    // Each further trailing 1 bit of the new size is a completed pair of equal-height subtrees to merge.
    for (let s = this.size / 2; s % 2 === 0; s /= 2) node = nodeHash(this.stack.pop() as Buffer, node)
    this.stack.push(node)
  }

  /** The number of leaves added so far. */
  get count(): number {
    return this.size
  }

  /** The root of the leaves added so far. */
  root(): Buffer {
    if (this.stack.length === 0) return Buffer.from(EMPTY_ROOT)
    let node = this.stack[this.stack.length - 1] as Buffer
    for (let i = this.stack.length - 2; i >= 0; i--) node = nodeHash(this.stack[i] as Buffer, node)
    return node === this.lone ? Buffer.from(node) : node
  }
}

/** MTH(D[start:end]) over packed leaves; the whole tree by default. */
export function rootHash(leaves: LeafHashes, start = 0, end = leaves.count): Buffer {
  if (end - start === 0) return Buffer.from(EMPTY_ROOT)
  if (start === 0) {
    const builder = new TreeBuilder()
    for (let i = 0; i < end; i++) builder.push(leafAt(leaves, i))
    return builder.root()
  }
  return subtreeHash(leaves, start, end)
}

function subtreeHash(leaves: LeafHashes, start: number, end: number): Buffer {
  const n = end - start
  if (n === 1) return Buffer.from(leafAt(leaves, start))
  const k = largestPowerOfTwoBelow(n)
  return nodeHash(subtreeHash(leaves, start, start + k), subtreeHash(leaves, start + k, end))
}

/** The largest power of two strictly less than n (n >= 2). */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** A half-open range of leaves [start, end) whose subtree hash MTH(D[start:end]) is one proof element. */
export type LeafRange = readonly [start: number, end: number]

/**
 * The ranges whose subtree hashes make the RFC 9162 §2.1.3.1 inclusion proof of leaf `index` in the tree
 * of `size` leaves, leaf's sibling first. Pure arithmetic: whoever holds the hashes (packed leaves, a
 * stream, tiles) turns each range into its hash. The ranges are disjoint.
 */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size)
    throw new RangeError(`no leaf ${index} in a tree of size ${size}`)
  const ranges: LeafRange[] = []
  const walk = (m: number, start: number, end: number): void => {
    const n = end - start
    if (n === 1) return
    const k = largestPowerOfTwoBelow(n)
    if (m < k) {
      walk(m, start, start + k)
      ranges.push([start + k, end])
    } else {
      walk(m - k, start + k, end)
      ranges.push([start, start + k])
    }
  }
  walk(index, 0, size)
  return ranges
}

/** The ranges of the RFC 9162 §2.1.4.1 consistency proof between the trees of `from` and `to` leaves. */
export function consistencyProofRanges(from: number, to: number): LeafRange[] {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from > to)
    throw new RangeError(`no consistency proof from size ${from} to size ${to}`)
  const ranges: LeafRange[] = []
  if (from === 0 || from === to) return ranges
  const walk = (m: number, start: number, end: number, whole: boolean): void => {
    const n = end - start
    if (m === n) {
      if (!whole) ranges.push([start, end])
      return
    }
    const k = largestPowerOfTwoBelow(n)
    if (m <= k) {
      walk(m, start, start + k, whole)
      ranges.push([start + k, end])
    } else {
      walk(m - k, start + k, end, false)
      ranges.push([start, start + k])
    }
  }
  walk(from, 0, to, true)
  return ranges
}

/** RFC 9162 §2.1.3.1 inclusion proof for leaf `index` in the tree of the first `size` leaves. */
export function inclusionProof(leaves: LeafHashes, index: number, size: number): Buffer[] {
  const ranges = inclusionProofRanges(index, size)
  if (size > leaves.count) throw new RangeError(`the log has ${leaves.count} entries, not ${size}`)
  return ranges.map(([start, end]) => subtreeHash(leaves, start, end))
}

/** RFC 9162 §2.1.4.1 consistency proof between the trees of the first `from` and `to` leaves. */
export function consistencyProof(leaves: LeafHashes, from: number, to: number): Buffer[] {
  const ranges = consistencyProofRanges(from, to)
  if (to > leaves.count) throw new RangeError(`the log has ${leaves.count} entries, not ${to}`)
  return ranges.map(([start, end]) => subtreeHash(leaves, start, end))
}

const isOdd = (x: number) => x % 2 === 1
const half = (x: number) => Math.floor(x / 2)
const isPowerOfTwo = (x: number) => {
  let n = x
  while (n > 1 && n % 2 === 0) n /= 2
  return n === 1
}

/**
 * The outcome of checking a proof: ok, or why not, in words, with the expected and computed roots when
 * the proof was well-formed but led elsewhere (as transparency-dev/merkle's RootMismatchError does).
 */
export type ProofCheck = { ok: true } | { ok: false; reason: string; expected?: string; computed?: string }

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const mismatch = (what: string, expected: Uint8Array, computed: Uint8Array): ProofCheck => ({
  ok: false,
  reason: `${what}: the proof leads to root ${hex(computed)}, not ${hex(expected)}`,
  expected: hex(expected),
  computed: hex(computed),
})

/** The number of hashes an RFC 9162 inclusion proof of `index` in a tree of `size` has. */
function inclusionProofLength(index: number, size: number): number {
  return inclusionProofRanges(index, size).length
}

/** RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or null when the proof cannot be valid. */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: Uint8Array[],
): Buffer | null {
  if (index < 0 || index >= size || leaf.length !== HASH_BYTES) return null
  let fn = index
  let sn = size - 1
  let r: Buffer = Buffer.from(leaf)
  for (const p of proof) {
    if (sn === 0 || p.length !== HASH_BYTES) return null
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r)
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn)
          sn = half(sn)
        }
      }
    } else {
      r = nodeHash(r, p)
    }
    fn = half(fn)
    sn = half(sn)
  }
  return sn === 0 ? r : null
}

/** Whether `proof` shows leaf `leaf` at `index` in the tree of `size` leaves with root `root`, and why not. */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: Uint8Array[],
  root: Uint8Array,
): ProofCheck {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size)
    return { ok: false, reason: `index ${index} is not in a tree of size ${size}` }
  if (leaf.length !== HASH_BYTES)
    return { ok: false, reason: `the leaf hash is ${leaf.length} bytes, not 32` }
  if (root.length !== HASH_BYTES) return { ok: false, reason: `the root is ${root.length} bytes, not 32` }
  const bad = proof.findIndex((p) => p.length !== HASH_BYTES)
  if (bad >= 0) return { ok: false, reason: `proof hash ${bad} is ${proof[bad]?.length} bytes, not 32` }
  const want = inclusionProofLength(index, size)
  if (proof.length !== want)
    return {
      ok: false,
      reason: `wrong proof size ${proof.length}, want ${want} for index ${index} of ${size}`,
    }
  const computed = rootFromInclusionProof(index, size, leaf, proof) as Buffer
  return computed.equals(root) ? { ok: true } : mismatch(`inclusion of ${index} in ${size}`, root, computed)
}

/**
 * RFC 9162 §2.1.4.2: whether `proof` shows the tree (size2, root2) extends the tree (size1, root1), and
 * why not.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): ProofCheck {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size2 < size1)
    return { ok: false, reason: `size ${size2} is below size ${size1}: a log never shrinks` }
  if (size1 === size2) {
    if (proof.length !== 0)
      return { ok: false, reason: `wrong proof size ${proof.length}, want 0 for equal sizes` }
    return Buffer.from(root1).equals(root2)
      ? { ok: true }
      : mismatch(`two roots for size ${size1}`, root1, root2)
  }
  if (size1 === 0)
    return proof.length === 0
      ? { ok: true }
      : { ok: false, reason: `wrong proof size ${proof.length}, want 0 from the empty tree` }
  if (root1.length !== HASH_BYTES || root2.length !== HASH_BYTES)
    return { ok: false, reason: 'a root is not 32 bytes' }
  const bad = proof.findIndex((p) => p.length !== HASH_BYTES)
  if (bad >= 0) return { ok: false, reason: `proof hash ${bad} is ${proof[bad]?.length} bytes, not 32` }
  const want = consistencyProofRanges(size1, size2).length
  if (proof.length !== want)
    return { ok: false, reason: `wrong proof size ${proof.length}, want ${want} from ${size1} to ${size2}` }
  // When size1 is a power of two, the old root is itself a node of the new tree and starts the path.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof
  let fn = size1 - 1
  let sn = size2 - 1
  while (isOdd(fn)) {
    fn = half(fn)
    sn = half(sn)
  }
  let fr: Buffer = Buffer.from(path[0] as Uint8Array)
  let sr: Buffer = Buffer.from(path[0] as Uint8Array)
  for (const c of path.slice(1)) {
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr)
      sr = nodeHash(c, sr)
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn)
        sn = half(sn)
      }
    } else {
      sr = nodeHash(sr, c)
    }
    fn = half(fn)
    sn = half(sn)
  }
  if (!fr.equals(root1)) return mismatch(`the old tree of size ${size1}`, root1, fr)
  if (!sr.equals(root2)) return mismatch(`the new tree of size ${size2}`, root2, sr)
  return { ok: true }
}
