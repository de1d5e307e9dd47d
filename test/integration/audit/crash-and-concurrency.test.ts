import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { generateKey } from '../../../src/audit/keyring.js'
import { ledgerPaths } from '../../../src/audit/ledger.js'
import { parseJson, runGoblin, tempDir } from '../../helpers/cli.js'

// Real processes: the appender script uses the built library (dist/), the CLI is bin/run.js.
const APPENDER = join(import.meta.dirname, 'appender.mjs')
const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

async function freshHome() {
  const dir = tempDir('goblin-audit-proc-')
  cleanups.push(dir.cleanup)
  await generateKey(join(dir.path, 'keys'), 'ci')
  return { home: dir.path, keysDir: join(dir.path, 'keys'), ledgerDir: join(dir.path, 'audit') }
}

function startAppender(keysDir: string, ledgerDir: string, batches: number, size: number, pad: number) {
  const child = spawn(
    process.execPath,
    [APPENDER, keysDir, ledgerDir, String(batches), String(size), String(pad)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const acked: Array<[number, number]> = []
  let buffered = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString()
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const [, first, last] = buffered.slice(0, nl).split(' ')
      acked.push([Number(first), Number(last)])
      buffered = buffered.slice(nl + 1)
    }
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, acked, exited, stderr: () => stderr }
}

async function until(condition: () => boolean, what: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline && !condition()) {
    if (child.exitCode !== null) throw new Error(`appender exited before ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
  if (!condition()) throw new Error(`timed out waiting for ${what}`)
}

function ledgerSeqs(ledgerDir: string): number[] {
  const text = readFileSync(ledgerPaths(ledgerDir).log, 'utf8')
  const complete = text.slice(0, text.lastIndexOf('\n') + 1)
  return complete
    .split('\n')
    .slice(0, -1)
    .map((line) => (JSON.parse(line) as { seq: number }).seq)
}

describe('crash safety (kill -9 of a real appending process)', () => {
  it('loses no acknowledged entry; a torn tail is repaired; the stale lock does not block the next writer', async () => {
    const { home, keysDir, ledgerDir } = await freshHome()
    const env = { GOBLIN_HOME: home }
    for (let round = 0; round < 3; round++) {
      const run = startAppender(keysDir, ledgerDir, 1000, 50, 4000)
      const target = 2 + round
      await until(() => run.acked.length >= target, `${target} acks`, run.child)
      run.child.kill('SIGKILL')
      await run.exited
      const ackedLast = Math.max(...run.acked.map(([, last]) => last))
      // Every acknowledged seq is present as a complete, parseable line.
      const seqs = new Set(ledgerSeqs(ledgerDir))
      for (let s = 0; s <= ackedLast; s++) expect(seqs.has(s)).toBe(true)
      const repair = parseJson<{ repaired: boolean }>(await runGoblin(['audit', 'repair', '--json'], { env }))
      expect(typeof repair.repaired).toBe('boolean')
      const verify = await runGoblin(['audit', 'verify', '--json'], { env })
      expect(parseJson<{ ok: boolean }>(verify).ok).toBe(true)
    }
    // The killed process's lock file is stale: a new writer breaks it at once and appends after the last entry.
    const before = ledgerSeqs(ledgerDir).length
    const signed = await runGoblin(
      ['audit', 'sign', '--goblin', 'g', '--action', 'a', '--decision', 'd', '--json'],
      { env },
    )
    expect(signed.exitCode).toBe(0)
    expect(parseJson<{ entries: Array<{ seq: number }> }>(signed).entries[0]?.seq).toBe(before)
  }, 300_000)
})

describe('concurrency (two real processes)', () => {
  it('two goblin audit sign processes never interleave, reuse a seq or lose an entry', async () => {
    const { home, ledgerDir } = await freshHome()
    const env = { GOBLIN_HOME: home }
    const batch = (tag: string) =>
      Array.from({ length: 300 }, (_, i) =>
        JSON.stringify({ goblin_id: tag, action: `a${i}`, decision: 'allow' }),
      ).join('\n')
    const fileA = join(home, 'a.jsonl')
    const fileB = join(home, 'b.jsonl')
    writeFileSync(fileA, batch('A'))
    writeFileSync(fileB, batch('B'))
    const runs = await Promise.all([
      runGoblin(['audit', 'sign', '--input', fileA, '--json'], { env }),
      runGoblin(['audit', 'sign', '--input', fileB, '--json'], { env }),
      runGoblin(['audit', 'sign', '--input', fileA, '--json'], { env }),
    ])
    for (const run of runs) expect(run.exitCode, run.stderr).toBe(0)
    const seqs = ledgerSeqs(ledgerDir)
    expect(seqs).toEqual(Array.from({ length: 900 }, (_, i) => i))
    // Each batch is contiguous: never interleaved with another.
    for (const run of runs) {
      const entries = parseJson<{ entries: Array<{ seq: number }> }>(run).entries
      expect(entries.at(-1)?.seq).toBe((entries[0]?.seq ?? 0) + 299)
    }
    expect(
      parseJson<{ ok: boolean; entries: number }>(await runGoblin(['audit', 'verify', '--json'], { env })),
    ).toMatchObject({ ok: true, entries: 900 })
  }, 300_000)

  it('two appending library processes interleave batches but never entries', async () => {
    const { keysDir, ledgerDir, home } = await freshHome()
    const a = startAppender(keysDir, ledgerDir, 30, 7, 10)
    const b = startAppender(keysDir, ledgerDir, 30, 7, 10)
    expect(await a.exited, a.stderr()).toBe(0)
    expect(await b.exited, b.stderr()).toBe(0)
    const acked = [...a.acked, ...b.acked].sort((x, y) => x[0] - y[0])
    expect(acked).toHaveLength(60)
    acked.forEach(([first, last], i) => {
      expect(first).toBe(i * 7)
      expect(last).toBe(i * 7 + 6)
    })
    expect(ledgerSeqs(ledgerDir)).toEqual(Array.from({ length: 420 }, (_, i) => i))
    expect(
      parseJson<{ ok: boolean }>(
        await runGoblin(['audit', 'verify', '--json'], { env: { GOBLIN_HOME: home } }),
      ).ok,
    ).toBe(true)
  }, 300_000)
})
