import { usageError } from '../core/errors.js'
import { ledgerLeafHashes } from './checkpoint-store.js'
import { consistencyProof, inclusionProof, leafAt, rootHash } from './merkle.js'

/** `goblin audit prove --index`: hex hashes, as RFC 9162 defines the proof. */
export interface InclusionProofJson {
  index: number
  size: number
  leaf_hash: string
  proof: string[]
  root: string
}

/** `goblin audit prove --from --to`. */
export interface ConsistencyProofJson {
  from: number
  to: number
  from_root: string
  to_root: string
  proof: string[]
}

/** The inclusion proof of entry `index` in the ledger's tree of `size` entries (default: all). */
export async function proveInclusion(
  ledgerDir: string,
  index: number,
  size?: number,
): Promise<InclusionProofJson> {
  return (await proveInclusions(ledgerDir, [index], size))[0] as InclusionProofJson
}

/** The inclusion proofs of several entries in one tree, the ledger read and its root computed once. */
export async function proveInclusions(
  ledgerDir: string,
  indexes: number[],
  size?: number,
): Promise<InclusionProofJson[]> {
  const { leaves } = await ledgerLeafHashes(ledgerDir)
  const treeSize = size ?? leaves.count
  checkSize(treeSize, leaves.count)
  const root = rootHash(leaves, 0, treeSize).toString('hex')
  return indexes.map((index) => {
    if (!Number.isSafeInteger(index) || index < 0 || index >= treeSize)
      throw usageError(
        'AUDIT_BAD_INDEX',
        `--index ${index}: the tree of size ${treeSize} has entries 0..${treeSize - 1}`,
        'Pick an index below the tree size.',
      )
    return {
      index,
      size: treeSize,
      leaf_hash: leafAt(leaves, index).toString('hex'),
      proof: inclusionProof(leaves, index, treeSize).map((h) => h.toString('hex')),
      root,
    }
  })
}

/** The consistency proof between the ledger's trees of `from` and `to` entries. */
export async function proveConsistency(
  ledgerDir: string,
  from: number,
  to: number,
): Promise<ConsistencyProofJson> {
  const { leaves } = await ledgerLeafHashes(ledgerDir)
  checkSize(to, leaves.count)
  if (!Number.isSafeInteger(from) || from < 0 || from > to)
    throw usageError(
      'AUDIT_BAD_SIZE',
      `--from ${from} --to ${to}: need 0 <= from <= to`,
      'Give the older tree size as --from.',
    )
  return {
    from,
    to,
    from_root: rootHash(leaves, 0, from).toString('hex'),
    to_root: rootHash(leaves, 0, to).toString('hex'),
    proof: consistencyProof(leaves, from, to).map((h) => h.toString('hex')),
  }
}

function checkSize(size: number, count: number): void {
  if (!Number.isSafeInteger(size) || size < 0 || size > count)
    throw usageError(
      'AUDIT_BAD_SIZE',
      `tree size ${size}: the log has ${count} entries`,
      `Give a size from 0 to ${count}.`,
    )
}
