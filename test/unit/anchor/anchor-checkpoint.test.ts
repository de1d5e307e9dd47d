import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { anchorLatestCheckpoint } from '../../../src/anchor/anchor-checkpoint.js'
import { generateKey, loadSigner } from '../../../src/audit/keyring.js'
import { ledgerPaths } from '../../../src/audit/ledger.js'
import { defaultProjectConfig } from '../../../src/core/config-schema.js'
import { buildLedger } from '../audit/audit-fixture.js'

// Every refusal happens before any calendar or chain is contacted: `fetch` fails the test if it is called.
const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

async function setup() {
  const l = await buildLedger(6, [6])
  cleanups.push(l.home.cleanup)
  const anchor = (verifiers = [l.signer], origins = ['goblin/test']) =>
    anchorLatestCheckpoint(l.ledgerDir, {
      verifiers,
      origins,
      ots: true,
      ethereum: false,
      upgrade: false,
      config: defaultProjectConfig().anchor,
      fetch: (() => {
        throw new Error('a calendar was contacted for a checkpoint that does not verify')
      }) as unknown as typeof fetch,
    })
  const note = join(ledgerPaths(l.ledgerDir).checkpoints, '6.note')
  const receipt = join(ledgerPaths(l.ledgerDir).checkpoints, '6.anchor.json')
  return { ...l, anchor, note, receipt }
}

describe('audit anchor verifies the checkpoint before anchoring anything', () => {
  it('refuses a checkpoint signed by a key it does not trust', async () => {
    const l = await setup()
    await generateKey(l.keysDir, 'other')
    const { signer: other } = loadSigner(l.keysDir, 'other')
    await expect(l.anchor([other])).rejects.toMatchObject({
      code: 'ANCHOR_CHECKPOINT_UNVERIFIED',
      exit: 1,
      message: expect.stringContaining('checkpoint-signature: '),
    })
    expect(existsSync(l.receipt)).toBe(false)
  })

  it('refuses a checkpoint of another origin', async () => {
    const l = await setup()
    await expect(l.anchor([l.signer], ['example.com/audit'])).rejects.toMatchObject({
      message: expect.stringContaining('checkpoint-origin: '),
    })
  })

  it('refuses a validly signed checkpoint whose root is not the log’s', async () => {
    const l = await setup()
    const log = ledgerPaths(l.ledgerDir).log
    const lines = readFileSync(log, 'utf8').split('\n')
    writeFileSync(log, [lines[1], lines[0], ...lines.slice(2)].join('\n'))
    await expect(l.anchor()).rejects.toMatchObject({
      message: expect.stringMatching(
        /checkpoint-mismatch: its root [0-9a-f]{64} is not the root of the log's first 6 entries/,
      ),
    })
    writeFileSync(log, `${lines.slice(0, 3).join('\n')}\n`)
    await expect(l.anchor()).rejects.toMatchObject({ message: expect.stringContaining('truncated-log') })
    expect(existsSync(l.receipt)).toBe(false)
  })
})
