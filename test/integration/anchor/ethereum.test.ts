import { createHash } from 'node:crypto'
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { anchorOnEthereum, rootFromCalldata, verifyEthereumAnchor } from '../../../src/anchor/ethereum.js'
import { loadEthereumKey } from '../../../src/anchor/ethereum-key.js'
import { GoblinError } from '../../../src/core/errors.js'
import { tempDir } from '../../helpers/cli.js'
import {
  HARDHAT_ACCOUNT_0_KEY,
  HARDHAT_CHAIN_ID,
  type HardhatNode,
  startHardhatNode,
} from '../../support/hardhat-node.js'

const root = createHash('sha256').update('checkpoint root for ethereum').digest()
let node: HardhatNode

beforeAll(async () => {
  node = await startHardhatNode()
}, 120_000)
afterAll(async () => {
  await node?.stop()
})

const settings = () => ({
  rpcUrl: node.url,
  chainId: HARDHAT_CHAIN_ID,
  confirmations: 1,
  pollingIntervalMs: 100,
})

describe('Ethereum anchors against a local Hardhat node', { timeout: 120_000 }, () => {
  it('sends the root in calldata, records chain, tx and block, and reads it back', async () => {
    const anchor = await anchorOnEthereum(root, HARDHAT_ACCOUNT_0_KEY, settings())
    expect(anchor.chainId).toBe(31337)
    expect(anchor.txHash).toMatch(/^0x[0-9a-f]{64}$/)
    expect(anchor.blockNumber).toBeGreaterThan(0)
    expect(Buffer.from(rootFromCalldata(anchor.data) ?? []).equals(root)).toBe(true)
    const check = await verifyEthereumAnchor(anchor, root, settings())
    expect(check.ok).toBe(true)
    expect(check.detail).toContain(`block ${anchor.blockNumber}`)

    const other = createHash('sha256').update('another root').digest()
    const wrong = await verifyEthereumAnchor(anchor, other, settings())
    expect(wrong).toMatchObject({
      ok: false,
      detail: expect.stringContaining('does not carry the checkpoint root'),
    })
    const moved = await verifyEthereumAnchor(
      { ...anchor, blockNumber: anchor.blockNumber + 5 },
      root,
      settings(),
    )
    expect(moved.ok).toBe(false)
  })

  it('waits for N confirmations', async () => {
    let stop = false
    const miner = (async () => {
      while (!stop) {
        await node.mine()
        await new Promise((r) => setTimeout(r, 50))
      }
    })()
    try {
      const anchor = await anchorOnEthereum(root, HARDHAT_ACCOUNT_0_KEY, { ...settings(), confirmations: 3 })
      expect(anchor.confirmations).toBe(3)
      const check = await verifyEthereumAnchor(anchor, root, settings())
      expect(Number(/\((\d+) confirmations\)/.exec(check.detail)?.[1])).toBeGreaterThanOrEqual(3)
    } finally {
      stop = true
      await miner
    }
  })

  it('an unreachable RPC is exit 3; a node of another chain is exit 2', async () => {
    const down = await anchorOnEthereum(root, HARDHAT_ACCOUNT_0_KEY, {
      ...settings(),
      rpcUrl: 'http://127.0.0.1:1/v3/SECRETKEY',
    }).catch((e: unknown) => e)
    expect(down).toBeInstanceOf(GoblinError)
    expect((down as GoblinError).exit).toBe(3)
    expect((down as GoblinError).message).toContain('http://127.0.0.1:1 is unreachable')
    expect((down as GoblinError).message).not.toContain('SECRETKEY')
    const sepolia = await anchorOnEthereum(root, HARDHAT_ACCOUNT_0_KEY, {
      ...settings(),
      chainId: 11155111,
    }).catch((e: unknown) => e)
    expect((sepolia as GoblinError).exit).toBe(2)
    expect((sepolia as GoblinError).message).toContain('serves chain 31337, but chain 11155111 is expected')
  })
})

describe('the signer key', { timeout: 120_000 }, () => {
  it('comes from the environment, or a 0600 key file; never echoed in errors', () => {
    const home = tempDir()
    try {
      expect(loadEthereumKey(undefined, { GOBLIN_ETH_PRIVATE_KEY: HARDHAT_ACCOUNT_0_KEY.slice(2) })).toBe(
        HARDHAT_ACCOUNT_0_KEY,
      )
      const env = { GOBLIN_HOME: home.path }
      expect(() => loadEthereumKey(undefined, env)).toThrow(
        /GOBLIN_ETH_PRIVATE_KEY is unset and .*ethereum\.key does not exist/,
      )
      mkdirSync(join(home.path, 'keys'))
      const file = join(home.path, 'keys', 'ethereum.key')
      writeFileSync(file, `${HARDHAT_ACCOUNT_0_KEY}\n`, { mode: 0o644 })
      chmodSync(file, 0o644)
      expect(() => loadEthereumKey(undefined, env)).toThrow(/has mode 0644; others can read it/)
      chmodSync(file, 0o600)
      expect(loadEthereumKey(undefined, env)).toBe(HARDHAT_ACCOUNT_0_KEY)
      writeFileSync(file, 'not-a-key-but-secret-ish')
      const error = (() => {
        try {
          loadEthereumKey(undefined, env)
        } catch (e) {
          return e as GoblinError
        }
      })()
      expect(error?.exit).toBe(2)
      expect(error?.message).not.toContain('secret-ish')
    } finally {
      home.cleanup()
    }
  })
})
