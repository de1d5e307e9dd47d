import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { join, relative } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createCheckpoint } from '../../../src/audit/checkpoint-store.js'
import { appendEvents, LEDGER_FILE } from '../../../src/audit/ledger.js'
import { tilePath, tilesForSize } from '../../../src/audit/tiles.js'
import { tempDir } from '../../helpers/cli.js'
import { buildLedger, events } from './audit-fixture.js'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

/** Flips one bit of byte `at` of `file`. */
function damage(file: string, at: number): void {
  const bytes = readFileSync(file)
  bytes[at] = (bytes[at] as number) ^ 1
  writeFileSync(file, bytes)
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
}

describe('audit checkpoint stores the C2SP tiles of its size', () => {
  it('writes every tile of each checkpoint size, once, and publishes the latest checkpoint', async () => {
    const l = await buildLedger(600, [300, 600])
    cleanups.push(l.home.cleanup)
    const expected = new Set([...tilesForSize(300), ...tilesForSize(600)].map(tilePath))
    expect(new Set(filesUnder(l.ledgerDir).filter((f) => f.startsWith('tile/')))).toEqual(expected)
    expect(readFileSync(join(l.ledgerDir, 'checkpoint'), 'utf8')).toBe(
      readFileSync(join(l.ledgerDir, 'checkpoints', '600.note'), 'utf8'),
    )
    expect(filesUnder(l.ledgerDir).some((f) => f.endsWith('.tmp'))).toBe(false)
    expect((await l.verify()).ok).toBe(true)
  })

  it('verify finds a changed tile and a missing one, naming each', async () => {
    const l = await buildLedger(600, [600])
    cleanups.push(l.home.cleanup)
    const tile = join(l.ledgerDir, 'tile/0/001')
    damage(tile, 40)
    rmSync(join(l.ledgerDir, 'tile/entries/000'))
    const report = await l.verify()
    expect(report.errors).toHaveLength(2)
    expect(report.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'tile-mismatch',
          file: tile,
          message: expect.stringContaining('does not match the log'),
        }),
        expect.objectContaining({
          kind: 'tile-mismatch',
          file: join(l.ledgerDir, 'tile/entries/000'),
          message: 'tile/entries/000 is missing: checkpoint 600 publishes it',
        }),
      ]),
    )
    expect(existsSync(join(l.ledgerDir, 'tile/1/000.p/2'))).toBe(true)
  })
})

describe('audit checkpoint carries on from the tiles of the checkpoint before', () => {
  /** Every tile of `size` in `ledgerDir`, path to bytes. */
  const tilesOf = (ledgerDir: string, size: number) =>
    Object.fromEntries(
      tilesForSize(size).map((c) => [
        tilePath(c),
        readFileSync(join(ledgerDir, tilePath(c))).toString('hex'),
      ]),
    )
  /** The tiles the same log gets from one checkpoint in a fresh ledger directory. */
  async function tilesInOneGo(l: Awaited<ReturnType<typeof buildLedger>>, size: number) {
    const fresh = tempDir('goblin-tiles-one-go-')
    cleanups.push(fresh.cleanup)
    mkdirSync(join(fresh.path, 'audit'))
    copyFileSync(join(l.ledgerDir, LEDGER_FILE), join(fresh.path, 'audit', LEDGER_FILE))
    await createCheckpoint(join(fresh.path, 'audit'), l.signer, 'goblin/test')
    return tilesOf(join(fresh.path, 'audit'), size)
  }

  it('does not re-read entries before its last bundle: the tree it signs extends the one before', async () => {
    const l = await buildLedger(600, [600])
    cleanups.push(l.home.cleanup)
    await appendEvents(l.ledgerDir, events(300, 'more'), l.signer)
    const log = join(l.ledgerDir, LEDGER_FILE)
    const original = readFileSync(log, 'utf8')
    const expected = await tilesInOneGo(l, 900)
    const lines = original.split('\n')
    lines[1] = (lines[1] as string).replace(/"(allow|deny)"/, '"other"')
    writeFileSync(log, lines.join('\n'))
    // A rebuild would refuse here (the log's prefix no longer hashes to the signed root): resuming, the
    // checkpoint signs the stored hash of line 2, so the tiles are those of the log as it was signed.
    expect((await createCheckpoint(l.ledgerDir, l.signer, 'goblin/test')).size).toBe(900)
    expect(tilesOf(l.ledgerDir, 900)).toEqual(expected)
    const report = await l.verify()
    expect(report.ok).toBe(false)
    expect(report.errors.map((e) => e.line)).toContain(2)
  })

  it('refuses when an entry of the last bundle changed', async () => {
    const l = await buildLedger(600, [600])
    cleanups.push(l.home.cleanup)
    const log = join(l.ledgerDir, LEDGER_FILE)
    const lines = readFileSync(log, 'utf8').split('\n')
    lines[520] = (lines[520] as string).replace(/"(allow|deny)"/, '"other"')
    writeFileSync(log, lines.join('\n'))
    await expect(createCheckpoint(l.ledgerDir, l.signer, 'goblin/test')).rejects.toThrow(
      /no longer matches its checkpoint at size 600/,
    )
  })

  it('refuses when the log is shorter than the checkpoint before', async () => {
    const l = await buildLedger(600, [600])
    cleanups.push(l.home.cleanup)
    const log = join(l.ledgerDir, LEDGER_FILE)
    writeFileSync(log, `${readFileSync(log, 'utf8').split('\n').slice(0, 590).join('\n')}\n`)
    await expect(createCheckpoint(l.ledgerDir, l.signer, 'goblin/test')).rejects.toThrow(
      /no longer matches its checkpoint at size 600/,
    )
  })

  it('rebuilds from the log, restoring them, when a tile of the right edge is damaged or missing', async () => {
    const l = await buildLedger(600, [600])
    cleanups.push(l.home.cleanup)
    const edge = join(l.ledgerDir, 'tile/0/002.p/88')
    const original = readFileSync(edge)
    damage(edge, 3)
    rmSync(join(l.ledgerDir, 'tile/1/000.p/2'))
    await appendEvents(l.ledgerDir, events(300, 'more'), l.signer)
    await createCheckpoint(l.ledgerDir, l.signer, 'goblin/test')
    expect(readFileSync(edge)).toEqual(original)
    expect(existsSync(join(l.ledgerDir, 'tile/1/000.p/2'))).toBe(true)
    expect(tilesOf(l.ledgerDir, 900)).toEqual(await tilesInOneGo(l, 900))
    expect((await l.verify()).ok).toBe(true)
  })

  it('leaves a damaged full tile below the edge for verify to name (it is never read to resume)', async () => {
    const l = await buildLedger(600, [600])
    cleanups.push(l.home.cleanup)
    const full = join(l.ledgerDir, 'tile/0/001')
    damage(full, 0)
    await appendEvents(l.ledgerDir, events(300, 'more'), l.signer)
    const created = await createCheckpoint(l.ledgerDir, l.signer, 'goblin/test')
    expect(created.size).toBe(900)
    const report = await l.verify()
    expect(report.errors).toEqual([expect.objectContaining({ kind: 'tile-mismatch', file: full })])
  })

  it('after a crash between the tiles and the note, the next checkpoint resumes from the one before', async () => {
    const l = await buildLedger(900, [600, 900])
    cleanups.push(l.home.cleanup)
    // The state a crash after 900's tiles were in place and before its note was stored leaves.
    rmSync(join(l.ledgerDir, 'checkpoints', '900.note'))
    copyFileSync(join(l.ledgerDir, 'checkpoints', '600.note'), join(l.ledgerDir, 'checkpoint'))
    await appendEvents(l.ledgerDir, events(100, 'after'), l.signer)
    expect((await createCheckpoint(l.ledgerDir, l.signer, 'goblin/test')).size).toBe(1000)
    expect(tilesOf(l.ledgerDir, 1000)).toEqual(await tilesInOneGo(l, 1000))
    expect((await l.verify()).ok).toBe(true)
  })
})
