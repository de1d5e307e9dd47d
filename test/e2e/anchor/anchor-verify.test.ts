import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseJson, runGoblin, tempDir } from '../../helpers/cli.js'
import { BitcoinPeer } from '../../support/bitcoin-peer.js'
import {
  HARDHAT_ACCOUNT_0_KEY,
  HARDHAT_CHAIN_ID,
  type HardhatNode,
  startHardhatNode,
} from '../../support/hardhat-node.js'
import { CalendarPeer } from '../../support/ots-calendar-peer.js'

interface VerifyJson {
  ok: boolean
  errors: { kind: string; message: string }[]
  anchors: {
    size: number
    ots?: { status: string; proven_by: string | null }
    ethereum?: { status: string }
  }[]
}

let calendar: CalendarPeer
let bitcoin: BitcoinPeer
let node: HardhatNode
const home = tempDir()
const project = tempDir()
const env = () => ({ GOBLIN_HOME: home.path })
const goblin = (...args: string[]) => runGoblin(args, { cwd: project.path, env: env() })
const checkpoints = () => join(home.path, 'audit', 'checkpoints')

beforeAll(async () => {
  ;[calendar, bitcoin, node] = await Promise.all([
    new CalendarPeer().start(),
    new BitcoinPeer().start(),
    startHardhatNode(),
  ])
  writeFileSync(
    join(project.path, 'goblin.config.json'),
    JSON.stringify({
      anchor: {
        ots: { calendars: [calendar.url] },
        bitcoin: { source: `${bitcoin.url}/esplora` },
        ethereum: { rpc_url: node.url, chain_id: HARDHAT_CHAIN_ID, confirmations: 1 },
      },
    }),
  )
  for (const args of [
    ['audit', 'keygen'],
    ['audit', 'sign', '--goblin', 'researcher', '--action', 'tool.call', '--decision', 'allow'],
    ['audit', 'sign', '--goblin', 'researcher', '--action', 'tool.call', '--decision', 'deny'],
    ['audit', 'checkpoint'],
  ]) {
    const run = await goblin(...args)
    expect(run.exitCode, run.stderr).toBe(0)
  }
}, 180_000)
afterAll(async () => {
  await Promise.all([calendar?.stop(), bitcoin?.stop(), node?.stop()])
  home.cleanup()
  project.cleanup()
})

describe('goblin audit anchor and verify, end to end', { timeout: 180_000 }, () => {
  it('stamps on OpenTimestamps, verifies offline, upgrades, verifies online against the block', async () => {
    const anchored = await goblin('audit', 'anchor', '--ots', '--json')
    expect(anchored.exitCode, anchored.stderr).toBe(0)
    const report = parseJson<{ checkpoint: { size: number; root: string }; ots: { status: string } }>(
      anchored,
    )
    expect(report.checkpoint.size).toBe(2)
    expect(report.ots.status).toBe('stamped')
    const receipt = JSON.parse(readFileSync(join(checkpoints(), '2.anchor.json'), 'utf8'))
    expect(receipt).toMatchObject({ v: 1, size: 2, root: report.checkpoint.root, ots: { proof: '2.ots' } })

    const again = parseJson<{ ots: { status: string } }>(await goblin('audit', 'anchor', '--json'))
    expect(again.ots.status).toBe('already-stamped')

    const pending = parseJson<VerifyJson>(await goblin('audit', 'verify', '--json'))
    expect(pending.ok).toBe(true)
    expect(pending.anchors[0]?.ots?.status).toBe('pending')

    bitcoin.headers.set(840_000, calendar.mine(840_000))
    const upgraded = await goblin('audit', 'anchor', '--upgrade')
    expect(upgraded.exitCode, upgraded.stderr).toBe(0)
    expect(upgraded.stdout).toContain('upgrade: size 2: Bitcoin block(s) 840000')

    const offline = parseJson<VerifyJson>(await goblin('audit', 'verify', '--json'))
    expect(offline.ok).toBe(true)
    expect(offline.anchors[0]?.ots?.status).toBe('unchecked')

    const online = await goblin('audit', 'verify', '--online')
    expect(online.exitCode, online.stderr).toBe(0)
    expect(online.stdout).toMatch(/anchor size 2: ots verified \(Bitcoin block 840000/)
  })

  it('refused Bitcoin RPC credentials are exit 2 naming the source, never a failed anchor (exit 1)', async () => {
    // BitcoinPeer is a test stand-in for Bitcoin Core's JSON-RPC: basic auth user:secret, 401 otherwise.
    const rpc = (password: string) => `rpc+${bitcoin.url.replace('://', `://user:${password}@`)}/rpc`
    const refused = await goblin('audit', 'verify', '--online', '--bitcoin-source', rpc('wrong'), '--json')
    expect(refused.exitCode, refused.stdout).toBe(2)
    expect(parseJson<{ error: { code: string; message: string } }>(refused).error).toMatchObject({
      code: 'BITCOIN_AUTH',
      message: `Bitcoin Core RPC ${bitcoin.url}/rpc: the credentials were refused (HTTP 401)`,
    })
    expect(refused.stdout + refused.stderr).not.toContain('wrong')
    // The same proof against the same node with the right credentials verifies.
    const right = parseJson<VerifyJson>(
      await goblin('audit', 'verify', '--online', '--bitcoin-source', rpc('secret'), '--json'),
    )
    expect(right.ok).toBe(true)
    expect(right.anchors[0]?.ots?.status).toBe('verified')
  })

  it('anchors on Ethereum with the key from the environment and reads it back online', async () => {
    const anchored = await runGoblin(['audit', 'anchor', '--ethereum', '--json'], {
      cwd: project.path,
      env: { ...env(), GOBLIN_ETH_PRIVATE_KEY: HARDHAT_ACCOUNT_0_KEY },
    })
    expect(anchored.exitCode, anchored.stderr).toBe(0)
    expect(anchored.stdout + anchored.stderr).not.toContain(HARDHAT_ACCOUNT_0_KEY.slice(2))
    const report = parseJson<{ ethereum: { status: string; chain_id: number; tx_hash: string } }>(anchored)
    expect(report.ethereum).toMatchObject({ status: 'anchored', chain_id: 31337 })
    const online = parseJson<VerifyJson>(await goblin('audit', 'verify', '--online', '--json'))
    expect(online.ok).toBe(true)
    expect(online.anchors[0]?.ethereum?.status).toBe('verified')
  })

  it('an unreachable Ethereum RPC is exit 3', async () => {
    const config = join(project.path, 'goblin.config.json')
    const saved = readFileSync(config, 'utf8')
    try {
      writeFileSync(config, saved.replace(node.url, 'http://127.0.0.1:1'))
      const run = await goblin('audit', 'verify', '--online')
      expect(run.exitCode, run.stdout + run.stderr).toBe(3)
      expect(run.stderr).toContain('Ethereum RPC http://127.0.0.1:1 is unreachable')
    } finally {
      writeFileSync(config, saved)
    }
  })

  it('a receipt for another root is tampering: exit 1, anchor-root-mismatch', async () => {
    const path = join(checkpoints(), '2.anchor.json')
    const saved = readFileSync(path, 'utf8')
    try {
      const receipt = JSON.parse(saved)
      receipt.root = 'ab'.repeat(32)
      writeFileSync(path, JSON.stringify(receipt))
      const run = await goblin('audit', 'verify', '--json')
      expect(run.exitCode).toBe(1)
      const report = parseJson<VerifyJson>(run)
      expect(report.ok).toBe(false)
      expect(report.errors.map((e) => e.kind)).toContain('anchor-root-mismatch')
    } finally {
      writeFileSync(path, saved)
    }
  })

  it('a corrupt .ots is reported (exit 1, bad-ots) and the good state verifies again after restore', async () => {
    const path = join(checkpoints(), '2.ots')
    const saved = readFileSync(path)
    try {
      writeFileSync(path, saved.subarray(0, saved.length - 3))
      const run = await goblin('audit', 'verify')
      expect(run.exitCode).toBe(1)
      expect(run.stdout).toMatch(/bad-ots: .*2\.ots: truncated/)
    } finally {
      writeFileSync(path, saved)
    }
    expect((await goblin('audit', 'verify')).exitCode).toBe(0)
  })
})
