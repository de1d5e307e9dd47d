import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  packLeafHashes,
  rootHash,
} from '../../../src/audit/merkle.js'
import { TileBuilder, tilePath } from '../../../src/audit/tiles.js'

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
    const theirs = Object.fromEntries(
      Object.entries(fixture.tiles[sizeText] as Record<string, string>).map(([path, digest]) => [
        path.replace(/^tile\/8\//, 'tile/'),
        digest,
      ]),
    )
    expect(Object.fromEntries(ours)).toEqual(theirs)
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
