import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { tilePath, tilesForSize } from '../../../src/audit/tiles.js'
import { buildLedger } from './audit-fixture.js'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

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
    const bytes = readFileSync(tile)
    bytes[40] = (bytes[40] as number) ^ 1
    writeFileSync(tile, bytes)
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
