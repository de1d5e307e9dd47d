import { createHash } from 'node:crypto'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { type Attestation, type Op, otsError, sameOp, type TimestampNode } from './ots-codec.js'

/**
 * Evaluating OpenTimestamps trees: apply one operation to a message, replay a tree from its digest to
 * every attestation (the commitment each attests), and merge trees (a calendar's answer into a proof).
 */

const MAX_RESULT_LENGTH = 4096

/** Applies one operation to a message, as the reference client does. */
export function applyOp(op: Op, msg: Uint8Array): Uint8Array {
  let out: Uint8Array
  switch (op.op) {
    case 'sha1':
    case 'ripemd160':
    case 'sha256':
      out = createHash(op.op).update(msg).digest()
      break
    case 'keccak256':
      out = keccak_256(msg)
      break
    case 'append':
      out = Buffer.concat([msg, op.arg])
      break
    case 'prepend':
      out = Buffer.concat([op.arg, msg])
      break
    case 'reverse':
      out = Uint8Array.from(msg).reverse()
      break
    case 'hexlify':
      out = Buffer.from(Buffer.from(msg).toString('hex'), 'ascii')
      break
  }
  if (out.length > MAX_RESULT_LENGTH) throw otsError(`${op.op} result exceeds ${MAX_RESULT_LENGTH} bytes`)
  return Uint8Array.from(out)
}

/** An attestation reached by replaying the tree: the message it attests and the ops that led to it. */
export interface ReplayedAttestation {
  attestation: Attestation
  /** The commitment: for a Bitcoin attestation, the block's Merkle root in internal byte order. */
  message: Uint8Array
  path: Op[]
}

/** Replays every path of the tree from `digest`, returning each attestation with its commitment. */
export function replayTimestamp(digest: Uint8Array, node: TimestampNode): ReplayedAttestation[] {
  const out: ReplayedAttestation[] = []
  const walk = (msg: Uint8Array, n: TimestampNode, path: Op[]): void => {
    for (const attestation of n.attestations) out.push({ attestation, message: msg, path })
    for (const { op, next } of n.ops) walk(applyOp(op, msg), next, [...path, op])
  }
  walk(digest, node, [])
  return out
}

/** Merges `from` into `into` (mutating `into`): shared ops are followed, new branches and attestations added. */
export function mergeTimestamp(into: TimestampNode, from: TimestampNode): void {
  for (const a of from.attestations) {
    if (!into.attestations.some((b) => sameAttestation(a, b))) into.attestations.push(a)
  }
  for (const branch of from.ops) {
    const existing = into.ops.find((o) => sameOp(o.op, branch.op))
    if (existing) mergeTimestamp(existing.next, branch.next)
    else into.ops.push(branch)
  }
}

/** Two attestations that say the same thing. */
export function sameAttestation(a: Attestation, b: Attestation): boolean {
  if (a.kind !== b.kind) return false
  if (a.kind === 'pending' && b.kind === 'pending') return a.uri === b.uri
  if (a.kind === 'unknown' && b.kind === 'unknown') {
    return a.tag === b.tag && Buffer.from(a.payload).equals(b.payload)
  }
  return 'height' in a && 'height' in b && a.height === b.height
}

/** A one-line description of an op for human output (`sha256`, `append 0a1b…`). */
export function describeOp(op: Op): string {
  return 'arg' in op ? `${op.op} ${Buffer.from(op.arg).toString('hex')}` : op.op
}
