import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseCheckpoint } from '../audit/checkpoint.js'
import { ledgerPaths } from '../audit/ledger.js'
import type { VerifyError } from '../audit/verify.js'
import type { AnchorConfig } from '../core/config-schema.js'
import { ExitCode, isGoblinError } from '../core/errors.js'
import type { BlockHeaderSource } from './bitcoin-headers.js'
import type { AttestationCheck } from './ots-verify.js'
import { anchorPaths, parseReceipt, receiptContradictions } from './receipt.js'

/**
 * Verification of anchor receipts, called by `goblin audit verify`. Offline: each receipt parses, agrees
 * with its checkpoint (root, size, origin, note hash), its `.ots` proof is over the root and replays to
 * its attestations, and its Ethereum calldata carries the root. Online (`online`): each Bitcoin attestation
 * is checked against the block's Merkle root and each Ethereum transaction is read back from the chain.
 * Problems come back as `VerifyError`s (kinds `anchor-*`), so they join the ledger's report; an
 * unreachable online source throws (exit 3), and so does one that refuses goblin's credentials (exit 2).
 * The proof formats and chain clients load only for an anchor that needs them: a log without anchors,
 * the common case, verifies without their eight modules.
 */

export interface AnchorCheck {
  size: number
  receipt: string
  ots?: {
    proof: string
    status: 'verified' | 'pending' | 'unchecked' | 'failed'
    attestations: AttestationCheck[]
    proven_by: string | null
  }
  ethereum?: {
    chain_id: number
    tx_hash: string
    status: 'verified' | 'unchecked' | 'failed'
    detail: string
    time?: string
  }
}

export interface AnchorVerification {
  anchors: AnchorCheck[]
  errors: VerifyError[]
}

export interface VerifyAnchorOptions {
  online: boolean
  config: AnchorConfig
  /** Overrides config's bitcoin source (e.g. `--bitcoin-source file:headers.txt`). */
  bitcoinSource?: string
  /** Overrides config's Ethereum RPC for reading back transactions. */
  ethereumRpcUrl?: string
  fetch?: typeof fetch
}

/** Verifies every anchor receipt in the ledger directory. */
export async function verifyAnchors(
  ledgerDir: string,
  options: VerifyAnchorOptions,
): Promise<AnchorVerification> {
  const dir = ledgerPaths(ledgerDir).checkpoints
  const sizes = existsSync(dir)
    ? readdirSync(dir)
        .flatMap((name) => {
          const m = /^(0|[1-9][0-9]*)\.(anchor\.json|ots)$/.exec(name)
          return m ? [Number(m[1])] : []
        })
        .filter((size, i, all) => all.indexOf(size) === i)
        .sort((a, b) => a - b)
    : []
  const errors: VerifyError[] = []
  const anchors: AnchorCheck[] = []
  let headers: BlockHeaderSource | undefined
  const headerSource = async () => {
    const { blockHeaderSource } = await import('./bitcoin-headers.js')
    headers ??= blockHeaderSource(options.bitcoinSource ?? options.config.bitcoin.source, options.fetch)
    return headers
  }
  for (const size of sizes) {
    const check = await verifyOne(ledgerDir, size, options, headerSource, errors)
    if (check) anchors.push(check)
  }
  return { anchors, errors }
}

async function verifyOne(
  ledgerDir: string,
  size: number,
  options: VerifyAnchorOptions,
  headerSource: () => Promise<BlockHeaderSource>,
  errors: VerifyError[],
): Promise<AnchorCheck | null> {
  const paths = anchorPaths(ledgerDir, size)
  const problem = (kind: string, message: string, file = paths.receipt) =>
    errors.push({ seq: null, line: null, kind, message, file })
  if (!existsSync(paths.receipt)) {
    problem('anchor-orphan', `${paths.ots}: an OpenTimestamps proof without its receipt`, paths.ots)
    return null
  }
  let receipt: ReturnType<typeof parseReceipt>
  try {
    receipt = parseReceipt(readFileSync(paths.receipt, 'utf8'), paths.receipt)
  } catch (error) {
    if (!isGoblinError(error)) throw error
    problem('bad-anchor-receipt', error.message)
    return null
  }
  if (!existsSync(paths.note)) {
    problem('anchor-orphan', `${paths.receipt}: the checkpoint it anchors (${paths.note}) is missing`)
    return null
  }
  const note = readFileSync(paths.note, 'utf8')
  let checkpoint: ReturnType<typeof parseCheckpoint>
  try {
    checkpoint = parseCheckpoint(note.slice(0, note.lastIndexOf('\n\n') + 1), paths.note)
  } catch {
    return null // the ledger's own verification reports the bad checkpoint
  }
  for (const contradiction of receiptContradictions(receipt, checkpoint, note)) {
    problem('anchor-root-mismatch', `${paths.receipt}: ${contradiction}`)
  }
  const check: AnchorCheck = { size, receipt: paths.receipt }

  if (receipt.ots) {
    const proofPath = join(ledgerPaths(ledgerDir).checkpoints, receipt.ots.proof)
    if (!existsSync(proofPath)) {
      problem('anchor-missing-proof', `${paths.receipt}: its proof ${proofPath} is missing`)
    } else {
      try {
        const [{ parseOts }, { verifyOtsProof }] = await Promise.all([
          import('./ots-codec.js'),
          import('./ots-verify.js'),
        ])
        const proof = parseOts(readFileSync(proofPath), proofPath)
        const result = await verifyOtsProof(
          proof,
          checkpoint.root,
          options.online ? { headers: await headerSource() } : {},
        )
        if (!result.digestMatches) {
          problem(
            'anchor-root-mismatch',
            `${proofPath}: the proof is over ${Buffer.from(proof.digest).toString('hex')}, not the checkpoint's root`,
            proofPath,
          )
        }
        for (const a of result.attestations.filter((a) => a.status === 'failed')) {
          problem('anchor-ots-failed', `${proofPath}: ${a.detail}`, proofPath)
        }
        const statuses = result.attestations.map((a) => a.status)
        const status =
          !result.digestMatches || statuses.includes('failed')
            ? 'failed'
            : result.verified
              ? 'verified'
              : statuses.includes('unchecked')
                ? 'unchecked'
                : 'pending'
        check.ots = {
          proof: proofPath,
          status,
          attestations: result.attestations,
          proven_by: result.provenBy,
        }
      } catch (error) {
        // Only what the proof itself shows is a finding; an unreachable source (3) or a source that is
        // misconfigured or refuses our credentials (2) is the operator's to fix, and CI must not read
        // it as tampering. A malformed .ots file is a finding, though it is bad input too.
        if (!isGoblinError(error) || (error.exit !== ExitCode.notOk && error.code !== 'OTS_MALFORMED'))
          throw error
        problem(error.code === 'OTS_MALFORMED' ? 'bad-ots' : 'anchor-ots-failed', error.message, proofPath)
        check.ots = { proof: proofPath, status: 'failed', attestations: [], proven_by: null }
      }
    }
  }

  if (receipt.ethereum) {
    const eth = receipt.ethereum
    const base = { chain_id: eth.chain_id, tx_hash: eth.tx_hash }
    if (!options.online) {
      check.ethereum = {
        ...base,
        status: 'unchecked',
        detail: 'calldata carries the root; check online to read the transaction back',
      }
    } else {
      const rpcUrl = options.ethereumRpcUrl ?? options.config.ethereum.rpc_url
      if (!rpcUrl) {
        check.ethereum = { ...base, status: 'unchecked', detail: 'no Ethereum RPC configured' }
      } else {
        const { verifyEthereumAnchor } = await import('./ethereum.js')
        const result = await verifyEthereumAnchor(
          {
            chainId: eth.chain_id,
            txHash: eth.tx_hash,
            blockNumber: eth.block_number,
            blockHash: eth.block_hash,
            from: eth.from,
            data: eth.data,
            confirmations: eth.confirmations,
          },
          checkpoint.root,
          { rpcUrl, chainId: eth.chain_id },
        )
        if (!result.ok) problem('anchor-ethereum-failed', `${paths.receipt}: ${result.detail}`)
        check.ethereum = {
          ...base,
          status: result.ok ? 'verified' : 'failed',
          detail: result.detail,
          time: result.time,
        }
      }
    }
  }
  return check
}
