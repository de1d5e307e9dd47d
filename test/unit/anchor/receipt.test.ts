import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { anchorCalldata, rootFromCalldata, rpcOrigin } from '../../../src/anchor/ethereum.js'
import {
  formatReceipt,
  newReceipt,
  parseReceipt,
  receiptContradictions,
} from '../../../src/anchor/receipt.js'
import type { Checkpoint } from '../../../src/audit/checkpoint.js'
import type { GoblinError } from '../../../src/core/errors.js'

const root = createHash('sha256').update('root').digest()
const checkpoint: Checkpoint = { origin: 'goblin/ci', size: 12, root, extensions: [] }
const note = `goblin/ci\n12\n${root.toString('base64')}\n\n— goblin AAAA\n`

describe('anchor receipts', () => {
  it('round-trips and agrees with its checkpoint', () => {
    const receipt = newReceipt(checkpoint, note)
    const parsed = parseReceipt(formatReceipt(receipt), 'r.json')
    expect(parsed).toEqual(receipt)
    expect(receiptContradictions(parsed, checkpoint, note)).toEqual([])
  })

  it('a receipt for another root, size, origin or note contradicts the checkpoint', () => {
    const receipt = newReceipt(checkpoint, note)
    const other = { ...checkpoint, root: createHash('sha256').update('other').digest() }
    expect(receiptContradictions(receipt, other, note).join('\n')).toMatch(
      /receipt's root .* is not the checkpoint's root/,
    )
    expect(receiptContradictions(receipt, { ...checkpoint, size: 13 }, note)).toContain(
      'the receipt names size 12, the checkpoint 13',
    )
    expect(receiptContradictions(receipt, { ...checkpoint, origin: 'x' }, note)).toHaveLength(1)
    expect(receiptContradictions(receipt, checkpoint, `${note} `)).toEqual([
      'the receipt was made for another signed note',
    ])
  })

  it('Ethereum calldata must carry the root', () => {
    const ethereum = {
      chain_id: 1,
      tx_hash: `0x${'1'.repeat(64)}`,
      block_number: 5,
      block_hash: `0x${'2'.repeat(64)}`,
      from: `0x${'3'.repeat(40)}`,
      data: anchorCalldata(createHash('sha256').update('other').digest()),
      confirmations: 1,
      anchored_at: '2026-01-01T00:00:00.000Z',
      rpc: 'https://rpc.example',
    }
    const receipt = { ...newReceipt(checkpoint, note), ethereum }
    expect(receiptContradictions(receipt, checkpoint, note)).toEqual([
      'the Ethereum calldata in the receipt does not carry the root',
    ])
    receipt.ethereum.data = anchorCalldata(root)
    expect(receiptContradictions(receipt, checkpoint, note)).toEqual([])
  })

  it('calldata is the prefix and the root; anything else carries no root', () => {
    expect(anchorCalldata(root)).toBe(
      `0x${Buffer.from('goblin-anchor-v1:').toString('hex')}${root.toString('hex')}`,
    )
    expect(Buffer.from(rootFromCalldata(anchorCalldata(root)) ?? []).equals(root)).toBe(true)
    expect(rootFromCalldata(`0x${root.toString('hex')}`)).toBeNull()
    expect(rpcOrigin('https://sepolia.infura.io/v3/SECRET')).toBe('https://sepolia.infura.io')
  })

  it('a malformed receipt is an exit-2 error naming the file and field', () => {
    const bad = (text: string) => {
      try {
        parseReceipt(text, 'checkpoints/12.anchor.json')
      } catch (error) {
        return error as GoblinError
      }
      throw new Error('accepted')
    }
    expect(bad('{').exit).toBe(2)
    expect(bad('{').message).toMatch(/^checkpoints\/12\.anchor\.json: not JSON/)
    const wrongRoot = { ...newReceipt(checkpoint, note), root: 'xyz' }
    expect(bad(JSON.stringify(wrongRoot)).message).toContain('checkpoints/12.anchor.json: root:')
  })
})
