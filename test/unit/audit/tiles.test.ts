import { describe, expect, it } from 'vitest'
import {
  consistencyProofRanges,
  inclusionProofRanges,
  type LeafHashes,
  leafHash,
  packLeafHashes,
  rootHash,
} from '../../../src/audit/merkle.js'
import {
  type BuiltTile,
  decodeEntryBundle,
  encodeEntryBundle,
  hashFromTiles,
  parseTilePath,
  TileBuilder,
  tilePath,
  tilesForRanges,
  tilesForSize,
} from '../../../src/audit/tiles.js'

const describeSize = (size: number) => {
  const tiles = tilesForSize(size).filter((t) => t.level !== 'entries')
  return tiles
    .reduce<string[]>((out, t) => {
      const key = `${t.level}:${t.width === 256 ? 'full' : `p${t.width}`}`
      out.push(key)
      return out
    }, [])
    .reduce<Record<string, number>>((counts, key) => {
      counts[key] = (counts[key] ?? 0) + 1
      return counts
    }, {})
}

describe('C2SP tlog-tiles layout (the spec’s own examples)', () => {
  it('encodes tile indexes as x-prefixed 3-digit groups', () => {
    expect(tilePath({ level: 0, index: 1234067, width: 256 })).toBe('tile/0/x001/x234/067')
    expect(tilePath({ level: 0, index: 0, width: 256 })).toBe('tile/0/000')
    expect(tilePath({ level: 2, index: 1000, width: 17 })).toBe('tile/2/x001/000.p/17')
    expect(tilePath({ level: 'entries', index: 5, width: 3 })).toBe('tile/entries/005.p/3')
    for (const path of ['tile/0/x001/x234/067', 'tile/entries/005.p/3', 'tile/63/999', 'tile/1/x000/000'])
      expect(parseTilePath(path) && tilePath(parseTilePath(path) as never)).toBe(
        path === 'tile/1/x000/000' ? null : path,
      )
    for (const bad of [
      'tile/64/000',
      'tile/0/01',
      'tile/0/000.p/256',
      'tile/0/000.p/0',
      'tile/00/000',
      'tile/0/../x',
      'checkpoint',
      'tile/0/x001/x234/067/',
    ])
      expect(parseTilePath(bad)).toBeNull()
  })

  it('represents a tree of 70,000 entries as the spec says, and 256 as a full tile and a partial of width 1', () => {
    expect(describeSize(70_000)).toEqual({ '0:full': 273, '0:p112': 1, '1:full': 1, '1:p17': 1, '2:p1': 1 })
    expect(describeSize(256)).toEqual({ '0:full': 1, '1:p1': 1 })
    expect(tilesForSize(0)).toEqual([])
    expect(
      tilesForSize(70_000)
        .filter((t) => t.level === 'entries')
        .at(-1),
    ).toEqual({ level: 'entries', index: 273, width: 112 })
  })

  it('round-trips entry bundles and refuses a truncated one with the offset', () => {
    const entries = [Buffer.from('a'), Buffer.alloc(0), Buffer.from('x'.repeat(300))]
    const bundle = encodeEntryBundle(entries)
    expect(bundle.subarray(0, 3)).toEqual(Buffer.from([0, 1, 0x61]))
    expect(decodeEntryBundle(bundle, 'b')).toEqual(entries)
    expect(() => decodeEntryBundle(bundle.subarray(0, bundle.length - 1), 'tile/entries/000')).toThrow(
      /tile\/entries\/000: entry 2 at byte 5 runs past the end/,
    )
  })
})

describe('TileBuilder and proofs from tiles', () => {
  const n = 70_000
  const entries = Array.from({ length: n }, (_, i) => Buffer.from(`entry ${i}`))
  const leaves: LeafHashes = packLeafHashes(entries.map((e) => leafHash(e)))
  const stored = new Map<string, Buffer>()
  // A full tile's bytes are the builder's reused buffers: kept, they are copied.
  const builder = new TileBuilder((t: BuiltTile) => stored.set(tilePath(t.coord), Buffer.from(t.bytes)))
  for (let i = 0; i < n; i++) builder.push(entries[i] as Buffer, leaves.bytes.subarray(i * 32, i * 32 + 32))
  for (const t of builder.partials()) stored.set(tilePath(t.coord), t.bytes)

  it('writes exactly the tiles tilesForSize lists, level 1 hashes being roots of level 0 tiles', () => {
    expect([...stored.keys()].sort()).toEqual(tilesForSize(n).map(tilePath).sort())
    const level1 = stored.get('tile/1/000') as Buffer
    expect(level1.subarray(32 * 5, 32 * 6)).toEqual(rootHash(leaves, 5 * 256, 6 * 256))
    expect(stored.get('tile/2/000.p/1')).toEqual(rootHash(leaves, 0, 65_536))
    expect(decodeEntryBundle(stored.get('tile/entries/273.p/112') as Buffer, 'x')[111]).toEqual(
      entries[n - 1],
    )
  })

  it('hashes any proof range of any size from the tiles of that size only', () => {
    for (const size of [1, 255, 256, 257, 65_536, 65_537, 69_999, 70_000]) {
      const tiles = new Map<string, Buffer>()
      const sized = new TileBuilder((t) => tiles.set(tilePath(t.coord), Buffer.from(t.bytes)))
      for (let i = 0; i < size; i++)
        sized.push(entries[i] as Buffer, leaves.bytes.subarray(i * 32, i * 32 + 32))
      for (const t of sized.partials()) tiles.set(tilePath(t.coord), t.bytes)
      for (const index of [0, Math.floor(size / 2), size - 1]) {
        const ranges = [
          ...inclusionProofRanges(index, size),
          ...consistencyProofRanges(Math.max(1, index), size),
        ]
        for (const path of tilesForRanges(ranges, size).map(tilePath))
          expect(tiles.has(path), path).toBe(true)
        for (const range of ranges)
          expect(hashFromTiles(tiles, size, range)).toEqual(rootHash(leaves, range[0], range[1]))
      }
      expect(hashFromTiles(tiles, size, [0, size])).toEqual(rootHash(leaves, 0, size))
    }
  })

  it('refuses a tile of the wrong length, naming it', () => {
    const tiles = new Map(stored)
    tiles.set('tile/0/000', Buffer.alloc(31))
    expect(() => hashFromTiles(tiles, n, [0, 2])).toThrow(/tile\/0\/000 is 31 bytes, not 8192/)
  })
})
