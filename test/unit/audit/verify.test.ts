import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { canonicalJson } from '../../../src/audit/canonical-json.js'
import { createCheckpoint, latestCheckpoint } from '../../../src/audit/checkpoint-store.js'
import { generateKey, loadSigner } from '../../../src/audit/keyring.js'
import { appendEvents, ledgerPaths } from '../../../src/audit/ledger.js'
import { resolveTrustedKeys } from '../../../src/audit/trust.js'
import { verifyLedger } from '../../../src/audit/verify.js'
import { buildLedger, events } from './audit-fixture.js'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

async function ledger(entries = 10, checkpointsAt = [4, 10]) {
  const l = await buildLedger(entries, checkpointsAt)
  cleanups.push(l.home.cleanup)
  const log = ledgerPaths(l.ledgerDir).log
  const lines = () => readFileSync(log, 'utf8').split('\n').slice(0, -1)
  const write = (ls: string[]) => writeFileSync(log, ls.map((x) => `${x}\n`).join(''))
  return { ...l, log, lines, write }
}

const kinds = (report: { errors: Array<{ kind: string }> }) =>
  [...new Set(report.errors.map((e) => e.kind))].sort()

describe('verifyLedger', () => {
  it('accepts an untouched ledger with checkpoints', async () => {
    const l = await ledger()
    const report = await l.verify()
    expect(report).toMatchObject({ ok: true, entries: 10, checkpoints: 2, errors: [] })
    expect(latestCheckpoint(l.ledgerDir)?.checkpoint.size).toBe(10)
  })

  it('names a changed field as a bad signature at its seq and line', async () => {
    const l = await ledger()
    const lines = l.lines()
    lines[6] = (lines[6] as string).replace('"decision":"allow"', '"decision":"deny"')
    l.write(lines)
    const report = await l.verify()
    expect(report.ok).toBe(false)
    expect(report.errors).toContainEqual(expect.objectContaining({ seq: 6, line: 7, kind: 'bad-signature' }))
    // Checkpoint 4 still matches, 10 does not, nor do the tiles holding entry 6.
    expect(kinds(report)).toEqual(['bad-signature', 'checkpoint-mismatch', 'tile-mismatch'])
    expect(
      report.errors.filter((e) => e.kind === 'tile-mismatch').map((e) => e.message.split(' ')[0]),
    ).toEqual(['tile/0/000.p/10', 'tile/entries/000.p/10'])
    expect(report.errors.filter((e) => e.kind === 'checkpoint-mismatch').map((e) => e.file)).toEqual([
      join(ledgerPaths(l.ledgerDir).checkpoints, '10.note'),
    ])
  })

  it('names a reformatted entry as modified (not canonical)', async () => {
    const l = await ledger()
    const lines = l.lines()
    lines[2] = (lines[2] as string).replace('{"action"', '{ "action"')
    l.write(lines)
    const report = await l.verify()
    expect(report.errors).toContainEqual(expect.objectContaining({ seq: 2, line: 3, kind: 'modified-entry' }))
  })

  it('finds a deleted entry (gap), a swap (reorder), a copy (duplicate) and a cut end (truncated log)', async () => {
    const l = await ledger()
    const original = l.lines()
    l.write(original.filter((_, i) => i !== 5))
    let report = await l.verify()
    expect(report.errors).toContainEqual(expect.objectContaining({ seq: 6, line: 6, kind: 'gap' }))

    const swapped = [...original]
    ;[swapped[3], swapped[4]] = [swapped[4] as string, swapped[3] as string]
    l.write(swapped)
    report = await l.verify()
    expect(report.errors.filter((e) => e.kind === 'reorder').map((e) => e.seq)).toEqual([4, 3])

    l.write([...original.slice(0, 8), original[2] as string, ...original.slice(8)])
    report = await l.verify()
    expect(report.errors).toContainEqual(expect.objectContaining({ seq: 2, line: 9, kind: 'duplicate' }))

    l.write(original.slice(0, 7))
    report = await l.verify()
    expect(report.errors).toContainEqual(expect.objectContaining({ kind: 'truncated-log' }))
  })

  it('reports every problem, not just the first', async () => {
    const l = await ledger()
    const lines = l.lines()
    lines[1] = (lines[1] as string).replace('"goblin_id":"goblin-', '"goblin_id":"goblim-')
    lines[8] = (lines[8] as string).replace('"goblin_id":"goblin-', '"goblin_id":"goblim-')
    l.write(lines)
    const report = await l.verify()
    expect(report.errors.filter((e) => e.kind === 'bad-signature').map((e) => e.line)).toEqual([2, 9])
  })

  it('reports a torn last line', async () => {
    const l = await ledger(3, [])
    appendFileSync(l.log, '{"action":"half')
    const report = await l.verify()
    expect(report.errors).toEqual([expect.objectContaining({ line: 4, kind: 'torn-line' })])
    expect(report.entries).toBe(3)
  })

  it('rejects an entry signed by a key it does not trust', async () => {
    const l = await ledger(3, [])
    await generateKey(l.keysDir, 'other')
    const { signer } = loadSigner(l.keysDir, 'other')
    await appendEvents(l.ledgerDir, events(1), signer)
    const onlyFirst = resolveTrustedKeys({ keysDir: l.keysDir }).filter((t) => t.verifier.name === 'test')
    const report = await verifyLedger(l.ledgerDir, onlyFirst)
    expect(report.errors).toEqual([expect.objectContaining({ seq: 3, line: 4, kind: 'unknown-key' })])
  })

  it('checks checkpoint signatures, sizes and roots', async () => {
    const l = await ledger()
    const path = join(ledgerPaths(l.ledgerDir).checkpoints, '4.note')
    const note = readFileSync(path, 'utf8')
    writeFileSync(path, note.replace('\n4\n', '\n5\n'))
    let report = await l.verify()
    expect(report.errors).toContainEqual(
      expect.objectContaining({ kind: 'checkpoint-signature', file: path }),
    )
    writeFileSync(path, 'garbage\n')
    report = await l.verify()
    expect(report.errors).toContainEqual(expect.objectContaining({ kind: 'bad-checkpoint', file: path }))
    // A correctly signed checkpoint stored under the wrong size.
    writeFileSync(
      join(ledgerPaths(l.ledgerDir).checkpoints, '7.note'),
      readFileSync(join(ledgerPaths(l.ledgerDir).checkpoints, '10.note')),
    )
    writeFileSync(path, note)
    report = await l.verify()
    expect(kinds(report)).toEqual(['checkpoint-mismatch'])
  })

  it('refuses a checkpoint of another origin, signed by a trusted key', async () => {
    const l = await ledger(6, [3, 6])
    const { signer } = loadSigner(l.keysDir)
    await appendEvents(l.ledgerDir, events(2), signer)
    await createCheckpoint(l.ledgerDir, signer, 'goblin/other')
    const report = await verifyLedger(l.ledgerDir, resolveTrustedKeys({ keysDir: l.keysDir }), {
      origins: ['goblin/test'],
    })
    // Both the stored checkpoint and the published one (what a tile reader trusts first).
    expect(report.errors).toEqual(
      [join(ledgerPaths(l.ledgerDir).checkpoints, '8.note'), join(l.ledgerDir, 'checkpoint')].map((file) =>
        expect.objectContaining({
          kind: 'checkpoint-origin',
          file,
          message: expect.stringContaining('"goblin/other"'),
        }),
      ),
    )
  })

  it('gives the same report whatever the chunk size (lines cut across chunks, on one thread)', async () => {
    const l = await ledger(40, [7, 33])
    const lines = l.lines()
    lines[20] = (lines[20] as string).replace('"goblin_id":"goblin-', '"goblin_id":"goblim-')
    l.write([...lines.slice(0, 30), ...lines.slice(31)])
    appendFileSync(l.log, '{"torn')
    const trusted = resolveTrustedKeys({ keysDir: l.keysDir })
    const whole = await verifyLedger(l.ledgerDir, trusted)
    expect(kinds(whole)).toEqual([
      'bad-signature',
      'checkpoint-mismatch',
      'gap',
      'tile-mismatch',
      'torn-line',
    ])
    for (const chunkBytes of [1, 97, 1000]) {
      expect(await verifyLedger(l.ledgerDir, trusted, { chunkBytes, threads: 1 })).toEqual(whole)
    }
  })

  it('detects a history rewritten and re-signed with the real key', async () => {
    const l = await ledger(6, [3, 6])
    // Rewrite the log from scratch with different entries, re-signed by the same key, and checkpoint it.
    const original = l.lines()
    const entries = original.map((line) => JSON.parse(line))
    entries[1].decision = 'rewritten'
    const { signer } = loadSigner(l.keysDir)
    const { sealEnvelope, entryBytes } = await import('../../../src/audit/envelope.js')
    const resealed = entries.map((e: { ts: string; seq: number }) => {
      const { v: _v, seq: _s, ts: _t, kid: _k, sig: _g, ...event } = e as unknown as Record<string, unknown>
      return entryBytes(sealEnvelope(event as never, e.seq, new Date(e.ts), signer)).toString('utf8')
    })
    l.write(resealed)
    const report = await l.verify()
    expect(kinds(report)).toEqual(['checkpoint-mismatch', 'tile-mismatch'])
    expect(report.errors.filter((e) => e.kind === 'checkpoint-mismatch')).toHaveLength(2)
    await expect(createCheckpoint(l.ledgerDir, signer, 'goblin/test')).rejects.toThrow(/no longer matches/)
    expect(canonicalJson(JSON.parse(resealed[0] as string))).toBe(resealed[0])
  })
})
