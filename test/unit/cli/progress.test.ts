import { statSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ledgerPaths } from '../../../src/audit/ledger.js'
import { resolveTrustedKeys } from '../../../src/audit/trust.js'
import { verifyLedger } from '../../../src/audit/verify.js'
import { startProgress } from '../../../src/cli/progress.js'
import { buildLedger } from '../audit/audit-fixture.js'

/** A stream that keeps what is written to it. */
function sink() {
  const chunks: string[] = []
  return { chunks, write: (text: string) => chunks.push(text) > 0 }
}

describe('startProgress', () => {
  it('redraws one line in place on a terminal and clears it when done', () => {
    const out = sink()
    const progress = startProgress({ progress: true }, out)
    progress.update('verifying: 10 entries, 20%')
    progress.update('verifying: 11 entries, 22%') // within 100 ms: not drawn
    progress.done()
    expect(out.chunks).toEqual(['\rverifying: 10 entries, 20%\u001B[K', '\r\u001B[K'])
  })

  it('writes only the first text, once, where progress is off (a pipe, CI, --json)', () => {
    const out = sink()
    const progress = startProgress({ progress: false }, out)
    progress.update('verifying: 10 entries, 20%')
    progress.update('verifying: 50 entries, 100%')
    progress.done()
    expect(out.chunks).toEqual(['verifying: 10 entries, 20%\n'])
  })
})

describe('verifyLedger onProgress', () => {
  it('reports each chunk: entries so far and bytes read, ending at the whole log', async () => {
    const ledger = await buildLedger(40, [])
    try {
      const seen: Array<{ entries: number; bytes: number; totalBytes: number }> = []
      const trusted = resolveTrustedKeys({ keysDir: ledger.keysDir })
      const report = await verifyLedger(ledger.ledgerDir, trusted, {
        chunkBytes: 2000,
        threads: 1,
        onProgress: (p) => seen.push(p),
      })
      expect(report.ok).toBe(true)
      const size = statSync(ledgerPaths(ledger.ledgerDir).log).size
      expect(seen.length).toBeGreaterThan(2)
      expect(seen.at(-1)).toEqual({ entries: 40, bytes: size, totalBytes: size })
      for (let i = 1; i < seen.length; i++)
        expect(seen[i]?.entries).toBeGreaterThan(seen[i - 1]?.entries as number)
    } finally {
      ledger.home.cleanup()
    }
  })
})
