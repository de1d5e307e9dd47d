import { existsSync, readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { openCheckpoint } from '../audit/checkpoint.js'
import { latestCheckpoint, listCheckpoints, prefixRoot } from '../audit/checkpoint-store.js'
import { writeFileDurably } from '../audit/durable-file.js'
import type { NoteVerifier } from '../audit/signed-note.js'
import type { AnchorConfig } from '../core/config-schema.js'
import { ExitCode, GoblinError, usageError } from '../core/errors.js'
import { anchorOnEthereum, rpcOrigin } from './ethereum.js'
import { loadEthereumKey } from './ethereum-key.js'
import { parseOts, serializeOts } from './ots-codec.js'
import { replayTimestamp } from './ots-ops.js'
import { type CalendarOutcome, stampRoot, type UpgradeOutcome, upgradeProof } from './ots-stamp.js'
import { type AnchorReceipt, anchorPaths, formatReceipt, newReceipt, parseReceipt } from './receipt.js'

/**
 * `goblin audit anchor`: anchors the latest checkpoint's root (OpenTimestamps and/or Ethereum) and records
 * the receipt beside it; `upgrade` completes every stored OpenTimestamps proof that is still pending.
 * Re-running is safe: an anchor already in the receipt is not made again.
 */

export interface AnchorOptions {
  /** The keys the checkpoint must be signed by, and the origins it may name: checked before anchoring. */
  verifiers: NoteVerifier[]
  origins: string[]
  ots: boolean
  ethereum: boolean
  upgrade: boolean
  config: AnchorConfig
  env?: NodeJS.ProcessEnv
  fetch?: typeof fetch
  /** Tests poll their local node faster than a public chain needs. */
  ethereumPollingMs?: number
  /** The anchor transaction was sent; its confirmations are awaited next. */
  onEthereumSent?: (txHash: string, confirmations: number) => void
}

export interface AnchorReport {
  checkpoint: { origin: string; size: number; root: string; path: string }
  receipt: string
  ots?: { status: 'stamped' | 'already-stamped'; proof: string; calendars: CalendarOutcome[] }
  ethereum?: {
    status: 'anchored' | 'already-anchored'
    chain_id: number
    tx_hash: string
    block_number: number
  }
  upgrades?: {
    size: number
    proof: string
    changed: boolean
    bitcoin_heights: number[]
    outcomes: UpgradeOutcome[]
  }[]
}

/** Anchors the latest checkpoint of the ledger in `ledgerDir` as `options` ask. */
export async function anchorLatestCheckpoint(
  ledgerDir: string,
  options: AnchorOptions,
): Promise<AnchorReport> {
  const latest = latestCheckpoint(ledgerDir)
  if (!latest) {
    throw usageError(
      'ANCHOR_NO_CHECKPOINT',
      `the ledger in ${ledgerDir} has no checkpoint to anchor`,
      'Run goblin audit checkpoint first.',
    )
  }
  const { checkpoint, note } = latest
  await requireVerifiedCheckpoint(ledgerDir, latest.path, note, options)
  const paths = anchorPaths(ledgerDir, checkpoint.size)
  let receipt = existsSync(paths.receipt)
    ? parseReceipt(readFileSync(paths.receipt, 'utf8'), paths.receipt)
    : newReceipt(checkpoint, note)
  if (receipt.root !== checkpoint.root.toString('hex')) {
    throw usageError(
      'ANCHOR_RECEIPT_MISMATCH',
      `${paths.receipt} is for root ${receipt.root}, not this checkpoint's root`,
      'Run goblin audit verify: the receipt or the checkpoint was changed.',
    )
  }
  const save = (next: AnchorReceipt) => {
    receipt = next
    writeFileDurably(paths.receipt, formatReceipt(next))
  }
  const report: AnchorReport = {
    checkpoint: {
      origin: checkpoint.origin,
      size: checkpoint.size,
      root: checkpoint.root.toString('hex'),
      path: latest.path,
    },
    receipt: paths.receipt,
  }

  if (options.ots) {
    if (receipt.ots && existsSync(paths.ots)) {
      report.ots = { status: 'already-stamped', proof: paths.ots, calendars: [] }
    } else {
      const stamped = await stampRoot(checkpoint.root, options.config.ots.calendars, { fetch: options.fetch })
      writeFileDurably(paths.ots, serializeOts(stamped.proof))
      save({
        ...receipt,
        ots: {
          proof: basename(paths.ots),
          stamped_at: new Date().toISOString(),
          calendars: stamped.calendars.filter((c) => c.ok).map((c) => c.url),
          bitcoin_heights: [],
        },
      })
      report.ots = { status: 'stamped', proof: paths.ots, calendars: stamped.calendars }
    }
  }

  if (options.ethereum) {
    if (receipt.ethereum) {
      report.ethereum = {
        status: 'already-anchored',
        chain_id: receipt.ethereum.chain_id,
        tx_hash: receipt.ethereum.tx_hash,
        block_number: receipt.ethereum.block_number,
      }
    } else {
      const settings = options.config.ethereum
      if (!settings.rpc_url) {
        throw usageError(
          'ANCHOR_NO_ETH_RPC',
          'no Ethereum RPC is configured',
          'Set anchor.ethereum.rpc_url in goblin.config.json (and chain_id when it is not Sepolia).',
        )
      }
      const key = loadEthereumKey(settings.key_file, options.env)
      const anchor = await anchorOnEthereum(checkpoint.root, key, {
        rpcUrl: settings.rpc_url,
        chainId: settings.chain_id,
        confirmations: settings.confirmations,
        pollingIntervalMs: options.ethereumPollingMs,
        onSent: (txHash) => options.onEthereumSent?.(txHash, settings.confirmations),
      })
      save({
        ...receipt,
        ethereum: {
          chain_id: anchor.chainId,
          tx_hash: anchor.txHash,
          block_number: anchor.blockNumber,
          block_hash: anchor.blockHash,
          from: anchor.from,
          data: anchor.data,
          confirmations: anchor.confirmations,
          anchored_at: new Date().toISOString(),
          rpc: rpcOrigin(settings.rpc_url),
        },
      })
      report.ethereum = {
        status: 'anchored',
        chain_id: anchor.chainId,
        tx_hash: anchor.txHash,
        block_number: anchor.blockNumber,
      }
    }
  }

  if (options.upgrade) report.upgrades = await upgradeAll(ledgerDir, options)
  return report
}

/** Upgrades every stored proof that still has a pending attestation, and records the Bitcoin heights. */
async function upgradeAll(
  ledgerDir: string,
  options: AnchorOptions,
): Promise<NonNullable<AnchorReport['upgrades']>> {
  const out: NonNullable<AnchorReport['upgrades']> = []
  for (const stored of listCheckpoints(ledgerDir)) {
    const paths = anchorPaths(ledgerDir, stored.size)
    if (!existsSync(paths.ots) || !existsSync(paths.receipt)) continue
    const proof = parseOts(readFileSync(paths.ots), paths.ots)
    if (!replayTimestamp(proof.digest, proof.timestamp).some((r) => r.attestation.kind === 'pending'))
      continue
    const { changed, outcomes } = await upgradeProof(proof, options.config.ots.calendars, {
      fetch: options.fetch,
    })
    const heights = [
      ...new Set(
        replayTimestamp(proof.digest, proof.timestamp).flatMap((r) =>
          r.attestation.kind === 'bitcoin' ? [r.attestation.height] : [],
        ),
      ),
    ].sort((a, b) => a - b)
    if (changed) {
      writeFileDurably(paths.ots, serializeOts(proof))
      const receipt = parseReceipt(readFileSync(paths.receipt, 'utf8'), paths.receipt)
      if (receipt.ots) {
        receipt.ots = { ...receipt.ots, upgraded_at: new Date().toISOString(), bitcoin_heights: heights }
        writeFileDurably(paths.receipt, formatReceipt(receipt))
      }
    }
    out.push({ size: stored.size, proof: paths.ots, changed, bitcoin_heights: heights, outcomes })
  }
  return out
}

/**
 * Anchoring commits a root forever, so it must be a root the log vouches for: the checkpoint's signature
 * by a trusted key and its origin are checked, and its root against the log's first `size` entries.
 */
async function requireVerifiedCheckpoint(
  ledgerDir: string,
  path: string,
  note: string,
  options: AnchorOptions,
): Promise<void> {
  const refuse = (why: string) =>
    new GoblinError('ANCHOR_CHECKPOINT_UNVERIFIED', `${path}: not anchored: ${why}`, {
      hint: 'Run goblin audit verify to see what is wrong; anchor only a checkpoint that verifies.',
      exit: ExitCode.notOk,
    })
  const opened = openCheckpoint(note, options.verifiers, options.origins, `checkpoint ${path}`)
  if (!opened.ok) throw refuse(`${opened.kind}: ${opened.message}`)
  const { size, root } = opened.checkpoint
  const computed = await prefixRoot(ledgerDir, size)
  if (computed === null) throw refuse(`truncated-log: it vouches for ${size} entries, more than the log has`)
  if (!computed.equals(root))
    throw refuse(
      `checkpoint-mismatch: its root ${root.toString('hex')} is not the root of the log's first ${size} entries (${computed.toString('hex')})`,
    )
}
