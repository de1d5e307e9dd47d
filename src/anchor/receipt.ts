import { createHash } from 'node:crypto'
import { join } from 'node:path'
import type { z } from 'zod'
import type { Checkpoint } from '../audit/checkpoint.js'
import { ledgerPaths } from '../audit/ledger.js'
import { usageError } from '../core/errors.js'
import { lazySchema } from '../core/lazy-zod.js'
import { rootFromCalldata } from './ethereum.js'

/**
 * Anchor receipts: `checkpoints/<size>.anchor.json` beside `checkpoints/<size>.note`, naming the checkpoint
 * (origin, size, root, SHA-256 of the signed note) and where each anchor is: the OpenTimestamps proof
 * `checkpoints/<size>.ots` and/or the Ethereum transaction. A receipt is not signed: what makes it worth
 * anything is that its anchors can be checked by anyone against Bitcoin and Ethereum.
 */

export const RECEIPT_VERSION = 1

/** The receipt's schema, built (and zod loaded) when a receipt is first read or written (src/core/lazy-zod.ts). */
const receiptSchema = lazySchema((z) => {
  const hex32 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits')

  return z.strictObject({
    v: z.literal(RECEIPT_VERSION),
    origin: z.string().min(1),
    size: z.number().int().nonnegative(),
    /** The checkpoint's root hash, hex. */
    root: hex32,
    /** SHA-256 of the signed checkpoint note's bytes, hex: binds the receipt to one exact note. */
    checkpoint_sha256: hex32,
    ots: z
      .strictObject({
        /** The proof file's name, beside the receipt. */
        proof: z.string().regex(/^[0-9]+\.ots$/),
        stamped_at: z.string(),
        calendars: z.array(z.string()),
        upgraded_at: z.string().optional(),
        /** Heights of the Bitcoin blocks the proof is attested in, once upgraded. */
        bitcoin_heights: z.array(z.number().int().nonnegative()),
      })
      .optional(),
    ethereum: z
      .strictObject({
        chain_id: z.number().int().positive(),
        tx_hash: z.string().regex(/^0x[0-9a-f]{64}$/),
        block_number: z.number().int().nonnegative(),
        block_hash: z.string().regex(/^0x[0-9a-f]{64}$/),
        from: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
        data: z.string().regex(/^0x[0-9a-f]*$/),
        confirmations: z.number().int().min(1),
        anchored_at: z.string(),
        /** The RPC's origin (never its path: that often carries an API key). */
        rpc: z.string(),
      })
      .optional(),
  })
})

export type AnchorReceipt = z.infer<ReturnType<typeof receiptSchema>>

/** Where a checkpoint's receipt and proof live. */
export function anchorPaths(ledgerDir: string, size: number) {
  const dir = ledgerPaths(ledgerDir).checkpoints
  return {
    receipt: join(dir, `${size}.anchor.json`),
    ots: join(dir, `${size}.ots`),
    note: join(dir, `${size}.note`),
  }
}

/** A fresh receipt for a checkpoint. */
export function newReceipt(checkpoint: Checkpoint, note: string): AnchorReceipt {
  return {
    v: RECEIPT_VERSION,
    origin: checkpoint.origin,
    size: checkpoint.size,
    root: checkpoint.root.toString('hex'),
    checkpoint_sha256: sha256Hex(note),
  }
}

/** Parses a receipt file; malformed JSON or fields are exit-2 errors naming the file and field. */
export function parseReceipt(text: string, where: string): AnchorReceipt {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw usageError('ANCHOR_RECEIPT_MALFORMED', `${where}: not JSON (${(error as Error).message})`)
  }
  const result = receiptSchema().safeParse(json)
  if (!result.success) {
    const issue = result.error.issues[0]
    throw usageError(
      'ANCHOR_RECEIPT_MALFORMED',
      `${where}: ${issue?.path.join('.') || '(top level)'}: ${issue?.message ?? 'invalid'}`,
      'Restore the receipt from the bucket (goblin audit verify --source s3://…), or delete it and anchor again.',
    )
  }
  return result.data
}

/** The receipt as stored: stable key order, two-space indent, final newline. */
export function formatReceipt(receipt: AnchorReceipt): string {
  return `${JSON.stringify(receiptSchema().parse(receipt), null, 2)}\n`
}

/** What a receipt claims that contradicts its checkpoint; each is tampering. Empty when consistent. */
export function receiptContradictions(
  receipt: AnchorReceipt,
  checkpoint: Checkpoint,
  note: string,
): string[] {
  const problems: string[] = []
  if (receipt.root !== checkpoint.root.toString('hex')) {
    problems.push(
      `the receipt's root ${receipt.root} is not the checkpoint's root ${checkpoint.root.toString('hex')}`,
    )
  }
  if (receipt.size !== checkpoint.size)
    problems.push(`the receipt names size ${receipt.size}, the checkpoint ${checkpoint.size}`)
  if (receipt.origin !== checkpoint.origin) {
    problems.push(`the receipt names origin ${receipt.origin}, the checkpoint ${checkpoint.origin}`)
  }
  if (receipt.checkpoint_sha256 !== sha256Hex(note))
    problems.push('the receipt was made for another signed note')
  if (receipt.ethereum) {
    const carried = rootFromCalldata(receipt.ethereum.data)
    if (!carried || Buffer.from(carried).toString('hex') !== receipt.root) {
      problems.push(`the Ethereum calldata in the receipt does not carry the root`)
    }
  }
  return problems
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}
