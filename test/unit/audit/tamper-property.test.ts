import { readFileSync, writeFileSync } from 'node:fs'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listCheckpoints } from '../../../src/audit/checkpoint-store.js'
import { ledgerPaths } from '../../../src/audit/ledger.js'
import { buildLedger } from './audit-fixture.js'

// Property: any single tampering of a ledger whose latest checkpoint covers the whole log is caught.
// Bounded runs keep the suite fast; each run re-verifies the whole (small) ledger from disk.
const RUNS = 150
let l: Awaited<ReturnType<typeof buildLedger>>
let log: string
let original: Buffer
let checkpointFiles: Array<{ path: string; bytes: Buffer }>

beforeAll(async () => {
  l = await buildLedger(12, [5, 12])
  log = ledgerPaths(l.ledgerDir).log
  original = readFileSync(log)
  checkpointFiles = listCheckpoints(l.ledgerDir).map((c) => ({ path: c.path, bytes: readFileSync(c.path) }))
})
afterAll(() => l.home.cleanup())

function lines(bytes: Buffer): Buffer[] {
  const out: Buffer[] = []
  let start = 0
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) {
    out.push(bytes.subarray(start, i + 1))
    start = i + 1
  }
  return out
}

async function caught(mutatedLog: Buffer): Promise<boolean> {
  writeFileSync(log, mutatedLog)
  try {
    return !(await l.verify()).ok
  } finally {
    writeFileSync(log, original)
  }
}

describe('tampering is always caught', { timeout: 180_000 }, () => {
  it('the untouched ledger verifies', async () => {
    expect((await l.verify()).ok).toBe(true)
  })

  it('any single-byte change', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 1_000_000 }), fc.integer({ min: 1, max: 255 }), async (at, delta) => {
        const bytes = Buffer.from(original)
        const i = at % bytes.length
        bytes[i] = ((bytes[i] as number) + delta) % 256
        expect(await caught(bytes)).toBe(true)
      }),
      { numRuns: RUNS },
    )
  })

  it('deleting, inserting or swapping lines', async () => {
    const count = lines(original).length
    const mutation = fc.oneof(
      fc.record({ op: fc.constant('delete' as const), a: fc.nat({ max: count - 1 }), b: fc.constant(0) }),
      fc.record({
        op: fc.constant('insert' as const),
        a: fc.nat({ max: count }),
        b: fc.nat({ max: count - 1 }),
      }),
      fc
        .record({
          op: fc.constant('swap' as const),
          a: fc.nat({ max: count - 1 }),
          b: fc.nat({ max: count - 1 }),
        })
        .filter((m) => m.a !== m.b),
    )
    await fc.assert(
      fc.asyncProperty(mutation, async ({ op, a, b }) => {
        const ls = lines(original)
        if (op === 'delete') ls.splice(a, 1)
        if (op === 'insert') ls.splice(a, 0, ls[b] as Buffer)
        if (op === 'swap') [ls[a], ls[b]] = [ls[b] as Buffer, ls[a] as Buffer]
        expect(await caught(Buffer.concat(ls))).toBe(true)
      }),
      { numRuns: RUNS },
    )
  })

  it('truncation at any byte', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: original.length - 1 }), async (length) => {
        expect(await caught(original.subarray(0, length))).toBe(true)
      }),
      { numRuns: RUNS },
    )
  })

  it('any single-byte change to a checkpoint', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: checkpointFiles.length - 1 }),
        fc.nat({ max: 10_000 }),
        fc.integer({ min: 1, max: 255 }),
        async (which, at, delta) => {
          const file = checkpointFiles[which] as { path: string; bytes: Buffer }
          const bytes = Buffer.from(file.bytes)
          const i = at % bytes.length
          bytes[i] = ((bytes[i] as number) + delta) % 256
          writeFileSync(file.path, bytes)
          try {
            expect((await l.verify()).ok).toBe(false)
          } finally {
            writeFileSync(file.path, file.bytes)
          }
        },
      ),
      { numRuns: RUNS },
    )
  })
})
