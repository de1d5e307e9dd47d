import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parseJson, runGoblin, tempDir } from '../../helpers/cli.js'

// `audit sign --input` reads its batch a chunk at a time (a file twice, stdin through a private copy) and
// writes it a megabyte at a time: a batch of several of each must sign exactly as one, and a bad line
// deep in it must still leave the ledger as it was.
const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

async function session() {
  const home = tempDir('goblin-sign-stream-')
  cleanups.push(home.cleanup)
  // The spooled copy of stdin goes to TMPDIR: a directory of the test's own, to see that none is left.
  const tmp = join(home.path, 'tmp')
  mkdirSync(tmp)
  const env = { GOBLIN_HOME: home.path, TMPDIR: tmp }
  const goblin = (args: string[], input?: string) => runGoblin(args, { env, input, timeout: 240_000 })
  expect((await goblin(['audit', 'keygen', '--name', 'ci'])).exitCode).toBe(0)
  const log = join(home.path, 'audit', 'log.jsonl')
  return { home: home.path, tmp, goblin, log }
}

/** `n` events of about 200 bytes: 9000 of them are 7 reads of the input and 3 ledger writes. */
const events = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    goblin_id: `goblin-${i % 5}`,
    action: `tool.call.${i}`,
    decision: i % 4 ? 'allow' : 'deny',
    trace_id: (i + 1).toString(16).padStart(32, '0'),
    attrs: { step: i, tool: 'search', note: 'é'.repeat(i % 13) },
  }))
const jsonl = (list: unknown[]) => `${list.map((e) => JSON.stringify(e)).join('\n')}\n`

/** What goblin left in TMPDIR (Node's compile cache, which bin/run.js turns on, lives there too). */
const spooled = (tmp: string) => readdirSync(tmp).filter((name) => name.startsWith('goblin-'))

type Entry = {
  seq: number
  goblin_id: string
  action: string
  decision: string
  trace_id: string | null
  attrs?: unknown
}
const entries = (log: string) =>
  readFileSync(log, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Entry)

describe('audit sign --input in chunks (built CLI)', { timeout: 600_000 }, () => {
  it('signs a batch of many reads and writes, from a file and from stdin, as one batch in order', async () => {
    const batch = events(9000)
    const input = jsonl(batch)
    expect(Buffer.byteLength(input)).toBeGreaterThan(6 * 256 * 1024)
    for (const via of ['file', 'stdin'] as const) {
      const { home, tmp, goblin, log } = await session()
      expect((await goblin(['audit', 'sign', '--input', '-'], jsonl(events(2)))).exitCode).toBe(0)
      const path = join(home, 'events.jsonl')
      writeFileSync(path, input)
      const run =
        via === 'file'
          ? await goblin(['audit', 'sign', '--input', path])
          : await goblin(['audit', 'sign', '--input', '-'], input)
      expect(run.exitCode, run.stderr).toBe(0)
      expect(run.stdout).toContain('appended 9000 entries, seq 2..9001')
      const signed = entries(log)
      expect(readFileSync(log).length).toBeGreaterThan(2 * 1024 * 1024)
      expect(signed.map((e) => e.seq)).toEqual(Array.from({ length: 9002 }, (_, i) => i))
      expect(
        signed.slice(2).map(({ goblin_id, action, decision, trace_id, attrs }) => ({
          goblin_id,
          action,
          decision,
          trace_id,
          attrs,
        })),
      ).toEqual(batch)
      const verify = await goblin(['audit', 'verify', '--json'])
      expect(verify.exitCode, verify.stdout).toBe(0)
      expect(parseJson<{ ok: boolean; entries: number }>(verify)).toMatchObject({ ok: true, entries: 9002 })
      expect(spooled(tmp)).toEqual([])
    }
  })

  it('refuses a bad line deep in the batch by its number, leaving the ledger byte for byte as it was', async () => {
    const { home, tmp, goblin, log } = await session()
    expect((await goblin(['audit', 'sign', '--input', '-'], jsonl(events(3)))).exitCode).toBe(0)
    const before = readFileSync(log)
    const batch: unknown[] = events(9000)
    batch[6000] = { goblin_id: 'g', action: 'a' }
    const path = join(home, 'bad.jsonl')
    writeFileSync(path, jsonl(batch))
    const file = await goblin(['audit', 'sign', '--input', path, '--json'])
    expect(file.exitCode).toBe(2)
    expect(parseJson<{ error: { code: string; message: string } }>(file).error).toEqual(
      expect.objectContaining({
        code: 'AUDIT_BAD_EVENT',
        message: `${path}:6001: missing field "decision" (a non-empty string)`,
      }),
    )
    const stdin = await goblin(['audit', 'sign', '--input', '-'], jsonl(batch))
    expect(stdin.exitCode).toBe(2)
    expect(stdin.stderr).toContain('stdin:6001: missing field "decision"')
    expect(readFileSync(log).equals(before)).toBe(true)
    expect(spooled(tmp)).toEqual([])
  })

  it('says where stdin could not be copied when TMPDIR is unusable, and appends nothing', async () => {
    const { home, goblin, log } = await session()
    expect((await goblin(['audit', 'sign', '--input', '-'], jsonl(events(1)))).exitCode).toBe(0)
    const before = readFileSync(log)
    // Below a plain file: no directory can be made there (a missing TMPDIR would be made by Node's
    // compile cache, which bin/run.js turns on).
    writeFileSync(join(home, 'plain-file'), '')
    const unusable = join(home, 'plain-file', 'tmp')
    const run = await runGoblin(['audit', 'sign', '--input', '-', '--json'], {
      env: { GOBLIN_HOME: home, TMPDIR: unusable },
      input: jsonl(events(2)),
    })
    expect(run.exitCode).toBe(2)
    const { error } = parseJson<{ error: { code: string; message: string; hint: string } }>(run)
    expect(error.code).toBe('AUDIT_INPUT_SPOOL')
    expect(error.message).toContain(`cannot copy stdin to the temp directory ${unusable} (ENOTDIR)`)
    expect(error.hint).toContain('TMPDIR')
    expect(readFileSync(log).equals(before)).toBe(true)
  })
})
