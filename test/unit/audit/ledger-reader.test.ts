import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ledgerPaths } from '../../../src/audit/ledger.js'
import { type LineChunk, readLedgerLines } from '../../../src/audit/ledger-reader.js'

const dir = mkdtempSync(join(tmpdir(), 'goblin-ledger-reader-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const linesOf = (c: LineChunk) =>
  Array.from({ length: c.count }, (_, j) => c.bytes.subarray(c.starts[j], c.ends[j]).toString())

describe('readLedgerLines', () => {
  // Lines of many lengths, some longer than a chunk, and a torn tail.
  const lines = Array.from({ length: 60 }, (_, i) => `${i}:${'x'.repeat((i * 37) % 130)}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(ledgerPaths(dir).log, `${lines.join('\n')}\ntorn`)
  const size = Buffer.byteLength(`${lines.join('\n')}\ntorn`)

  it.each([1, 7, 64, 100, 4096])(
    'in chunks of %i bytes: every line once, in order, the previous chunk intact while the next is used',
    async (chunkBytes) => {
      const seen: string[] = []
      const reader = readLedgerLines(dir, size, chunkBytes)
      let previous: { chunk: LineChunk; lines: string[] } | null = null
      for (;;) {
        const next = await reader.next()
        if (next.done) {
          expect(next.value).toEqual({ line: 61, offset: size - 4, bytes: 4 })
          break
        }
        const chunk = next.value
        // verify folds chunk k while chunk k+1 is checked: reading k+1 must not overwrite k.
        if (previous) expect(linesOf(previous.chunk)).toEqual(previous.lines)
        expect(chunk.first).toBe(seen.length)
        const now = linesOf(chunk)
        seen.push(...now)
        previous = { chunk, lines: now }
      }
      expect(seen).toEqual(lines)
    },
  )
})
