import { createHash } from 'node:crypto'
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createCheckpoint } from '../../../src/audit/checkpoint-store.js'
import { generateKey, loadSigner } from '../../../src/audit/keyring.js'
import { LEDGER_FILE } from '../../../src/audit/ledger.js'
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  packLeafHashes,
  rootHash,
} from '../../../src/audit/merkle.js'
import { TileBuilder, tilePath, tilesForSize } from '../../../src/audit/tiles.js'
import { tempDir } from '../../helpers/cli.js'

// An independent implementation: tiles, roots and proofs captured from the Go checksum database's
// golang.org/x/mod/sumdb/tlog (see test/fixtures/audit/x-mod-tlog/main.go for how). Its tile paths carry
// the tile height as an extra element (tile/8/L/N); C2SP tlog-tiles drops it, the hashes are the same.
const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../fixtures/audit/x-mod-tlog-fe2ec04.json'), 'utf8'),
) as {
  module: string
  roots: Record<string, string>
  tiles: Record<string, Record<string, string>>
  proofs: Array<{ index?: number; from?: number; size: number; proof: string[] }>
}
const entries = Array.from({ length: 70_000 }, (_, i) => Buffer.from(`entry ${i}`))
const leaves = packLeafHashes(entries.map((e) => leafHash(e)))
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

/** The Go fixture's tiles of `size`, as C2SP paths and SHA-256 digests of their bytes. */
function goTiles(size: number): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fixture.tiles[String(size)] as Record<string, string>).map(([path, digest]) => [
      path.replace(/^tile\/8\//, 'tile/'),
      digest,
    ]),
  )
}

describe(`tiles and proofs agree with ${'golang.org/x/mod sumdb/tlog'}`, () => {
  it.each(Object.keys(fixture.tiles))('the hash tiles of a tree of %s entries, byte for byte', (sizeText) => {
    const size = Number(sizeText)
    const ours = new Map<string, string>()
    const builder = new TileBuilder(({ coord, bytes }) => {
      if (coord.level !== 'entries')
        ours.set(tilePath(coord), createHash('sha256').update(bytes).digest('hex'))
    })
    for (let i = 0; i < size; i++)
      builder.push(entries[i] as Buffer, leaves.bytes.subarray(i * 32, i * 32 + 32))
    for (const { coord, bytes } of builder.partials())
      if (coord.level !== 'entries')
        ours.set(tilePath(coord), createHash('sha256').update(bytes).digest('hex'))
    expect(Object.fromEntries(ours)).toEqual(goTiles(size))
    expect(hex(rootHash(leaves, 0, size))).toBe(fixture.roots[sizeText])
  })

  it('the inclusion and consistency proofs', () => {
    expect(fixture.proofs.length).toBeGreaterThan(30)
    for (const p of fixture.proofs) {
      const ours =
        p.from === undefined
          ? inclusionProof(leaves, p.index ?? 0, p.size)
          : consistencyProof(leaves, p.from, p.size)
      expect(ours.map(hex), JSON.stringify({ index: p.index, from: p.from, size: p.size })).toEqual(p.proof)
    }
  })
})

describe('audit checkpoint, carrying on from the tiles of the checkpoint before', () => {
  it("writes, checkpoint after checkpoint, the Go fixture's hash tiles of each size, byte for byte", async () => {
    // The ledger's lines are the fixture's entries: a checkpoint hashes lines, whatever they hold.
    const home = tempDir('goblin-tiles-interop-')
    try {
      const keysDir = join(home.path, 'keys')
      const ledgerDir = join(home.path, 'audit')
      await generateKey(keysDir, 'test')
      const { signer } = loadSigner(keysDir)
      mkdirSync(ledgerDir, { recursive: true })
      let written = 0
      // Each size resumes from the one before: mid-bundle, at a bundle's end, across a level-1 tile.
      for (const size of [1, 255, 256, 257, 65536, 65537, 70000]) {
        appendFileSync(
          join(ledgerDir, LEDGER_FILE),
          entries
            .slice(written, size)
            .map((e) => `${e}\n`)
            .join(''),
        )
        written = size
        const created = await createCheckpoint(ledgerDir, signer, 'goblin/test')
        expect(created.size).toBe(size)
        expect(Buffer.from(created.root, 'base64').toString('hex')).toBe(fixture.roots[String(size)])
        const stored = Object.fromEntries(
          tilesForSize(size)
            .filter((coord) => coord.level !== 'entries')
            .map((coord) => [
              tilePath(coord),
              createHash('sha256')
                .update(readFileSync(join(ledgerDir, tilePath(coord))))
                .digest('hex'),
            ]),
        )
        expect(stored, `tiles of size ${size}`).toEqual(goTiles(size))
      }
    } finally {
      home.cleanup()
    }
  })
})
