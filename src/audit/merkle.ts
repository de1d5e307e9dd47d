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
  private size = 0

  /** Adds the next leaf hash. The builder keeps a view of it (no copy): do not change those bytes later. */
  push(leaf: Uint8Array): void {
    let node: Buffer = Buffer.from(leaf.buffer, leaf.byteOffset, leaf.byteLength)
    this.size++
    // Each trailing 1 bit of the new size is a completed pair of equal-height subtrees to merge.
    for (let s = this.size; s % 2 === 0; s /= 2) {
      node = nodeHash(this.stack.pop() as Buffer, node)
    }
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
    return node
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

function subtreeHash(leaves: LeafHashes | MerkleCache, start: number, end: number): Buffer {
  if (leaves instanceof MerkleCache) return leaves.subtree(start, end)
  const n = end - start
  if (n === 1) return Buffer.from(leafAt(leaves, start))
  const k = largestPowerOfTwoBelow(n)
  return nodeHash(subtreeHash(leaves, start, start + k), subtreeHash(leaves, start + k, end))
}

/**
 * Every complete, aligned subtree's hash (level h holds MTH of leaves [i*2^h, (i+1)*2^h)), built in one
 * pass of n-1 node hashes. Any RFC 6962 subtree, prefix root or proof then costs O(log n) lookups and
 * hashes, so verify can prove consistency between any number of checkpoints of a large log.
 */
export class MerkleCache {
  private readonly levels: Uint8Array[] = []
  readonly count: number

  constructor(leaves: LeafHashes) {
    this.count = leaves.count
    let level = leaves.bytes.subarray(0, leaves.count * HASH_BYTES)
    this.levels.push(level)
    while (level.length >= 2 * HASH_BYTES) {
      const pairs = Math.floor(level.length / (2 * HASH_BYTES))
      const next = Buffer.allocUnsafe(pairs * HASH_BYTES)
      for (let i = 0; i < pairs; i++) {
        const at = i * 2 * HASH_BYTES
        next.set(
          nodeHash(level.subarray(at, at + HASH_BYTES), level.subarray(at + HASH_BYTES, at + 2 * HASH_BYTES)),
          i * HASH_BYTES,
        )
      }
      this.levels.push(next)
      level = next
    }
  }

  /** MTH(D[start:end]). */
  subtree(start: number, end: number): Buffer {
    const n = end - start
    if (n <= 0) return Buffer.from(EMPTY_ROOT)
    if (isPowerOfTwo(n) && start % n === 0) {
      const height = Math.log2(n)
      const level = this.levels[height] as Uint8Array
      const at = (start / n) * HASH_BYTES
      return Buffer.from(level.subarray(at, at + HASH_BYTES))
    }
    const k = largestPowerOfTwoBelow(n)
    return nodeHash(this.subtree(start, start + k), this.subtree(start + k, end))
  }
}

/** The largest power of two strictly less than n (n >= 2). */
function largestPowerOfTwoBelow(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** RFC 9162 §2.1.3.1 inclusion proof for leaf `index` in the tree of the first `size` leaves. */
export function inclusionProof(leaves: LeafHashes | MerkleCache, index: number, size: number): Buffer[] {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size)
    throw new RangeError(`no leaf ${index} in a tree of size ${size}`)
  if (size > leaves.count) throw new RangeError(`the log has ${leaves.count} entries, not ${size}`)
  const path: Buffer[] = []
  const walk = (m: number, start: number, end: number): void => {
    const n = end - start
    if (n === 1) return
    const k = largestPowerOfTwoBelow(n)
    if (m < k) {
      walk(m, start, start + k)
      path.push(subtreeHash(leaves, start + k, end))
    } else {
      walk(m - k, start + k, end)
      path.push(subtreeHash(leaves, start, start + k))
    }
  }
  walk(index, 0, size)
  return path
}

/** RFC 9162 §2.1.4.1 consistency proof between the trees of the first `from` and `to` leaves. */
export function consistencyProof(leaves: LeafHashes | MerkleCache, from: number, to: number): Buffer[] {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from > to)
    throw new RangeError(`no consistency proof from size ${from} to size ${to}`)
  if (to > leaves.count) throw new RangeError(`the log has ${leaves.count} entries, not ${to}`)
  const path: Buffer[] = []
  if (from === 0 || from === to) return path
  const walk = (m: number, start: number, end: number, whole: boolean): void => {
    const n = end - start
    if (m === n) {
      if (!whole) path.push(subtreeHash(leaves, start, end))
      return
    }
    const k = largestPowerOfTwoBelow(n)
    if (m <= k) {
      walk(m, start, start + k, whole)
      path.push(subtreeHash(leaves, start + k, end))
    } else {
      walk(m - k, start + k, end, false)
      path.push(subtreeHash(leaves, start, start + k))
    }
  }
  walk(from, 0, to, true)
  return path
}

const isOdd = (x: number) => x % 2 === 1
const half = (x: number) => Math.floor(x / 2)
const isPowerOfTwo = (x: number) => {
  let n = x
  while (n > 1 && n % 2 === 0) n /= 2
  return n === 1
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

/** True when `proof` shows leaf `leaf` at `index` in the tree of `size` leaves with root `root`. */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: Uint8Array[],
  root: Uint8Array,
): boolean {
  const computed = rootFromInclusionProof(index, size, leaf, proof)
  return computed !== null && root.length === HASH_BYTES && computed.equals(root)
}

/** RFC 9162 §2.1.4.2: true when `proof` shows the tree (size2, root2) extends the tree (size1, root1). */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  if (size1 < 0 || size2 < size1) return false
  if (size1 === size2) return proof.length === 0 && Buffer.from(root1).equals(root2)
  if (size1 === 0) return proof.length === 0
  if (proof.length === 0 || root1.length !== HASH_BYTES || root2.length !== HASH_BYTES) return false
  if (proof.some((p) => p.length !== HASH_BYTES)) return false
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
    if (sn === 0) return false
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
  return sn === 0 && fr.equals(root1) && sr.equals(root2)
}
