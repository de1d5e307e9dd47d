import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { verifyConsistency, verifyInclusion } from '../../../src/audit/merkle.js'
import { parseJson, runGoblin, tempDir } from '../../helpers/cli.js'

const FIXTURES = join(import.meta.dirname, '../../fixtures/audit')
const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

function session() {
  const home = tempDir('goblin-audit-e2e-')
  cleanups.push(home.cleanup)
  const env = { GOBLIN_HOME: home.path }
  const goblin = (args: string[], input?: string) => runGoblin(args, { env, input, cwd: home.path })
  const log = join(home.path, 'audit', 'log.jsonl')
  return { home: home.path, goblin, log }
}

type Entry = { seq: number; leaf_hash: string; envelope: Record<string, unknown> }
const jsonl = (n: number, tag = 'g') =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({ goblin_id: tag, action: `step-${i}`, decision: i % 3 ? 'allow' : 'deny' }),
  ).join('\n')

// Many CLI runs per test: generous limits for a loaded 2-core CI machine (no timing is asserted).
describe('goblin audit (built CLI)', { timeout: 240_000 }, () => {
  it('keygen, sign, checkpoint, prove, note verify and verify, end to end', async () => {
    const { goblin, home } = session()
    const keygen = parseJson<{ name: string; vkey: string; path: string }>(
      await goblin(['audit', 'keygen', '--name', 'ci', '--json']),
    )
    expect(keygen).toMatchObject({ name: 'ci', path: join(home, 'keys', 'ci.key') })
    expect(keygen.vkey).toMatch(/^ci\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/)
    expect(statSync(keygen.path).mode & 0o777).toBe(0o600)
    const again = await goblin(['audit', 'keygen', '--name', 'ci'])
    expect(again.exitCode).toBe(2)
    expect(again.stderr).toContain('already exists')

    const one = parseJson<{ entries: Entry[] }>(
      await goblin([
        'audit',
        'sign',
        '--goblin',
        'researcher',
        '--action',
        'tool.call',
        '--decision',
        'allow',
        '--trace-id',
        '4bf92f3577b34da6a3ce929d0e0e4736',
        '--attr',
        'tool=search',
        '--json',
      ]),
    )
    expect(one.entries).toHaveLength(1)
    expect(one.entries[0]).toMatchObject({
      seq: 0,
      envelope: {
        v: 1,
        seq: 0,
        goblin_id: 'researcher',
        trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
        attrs: { tool: 'search' },
        kid: keygen.vkey.split('+').slice(0, 2).join('+'),
      },
    })
    const batch = parseJson<{ entries: Entry[] }>(
      await goblin(['audit', 'sign', '--input', '-', '--json'], jsonl(9)),
    )
    expect(batch.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])

    const cp = parseJson<{ origin: string; size: number; root: string; note: string }>(
      await goblin(['audit', 'checkpoint', '--json']),
    )
    expect(cp).toMatchObject({ origin: 'goblin/ci', size: 10 })
    expect(
      cp.note.startsWith(`goblin/ci\n10\n${Buffer.from(cp.root, 'hex').toString('base64')}\n\n— ci `),
    ).toBe(true)

    const proof = parseJson<{
      index: number
      size: number
      leaf_hash: string
      proof: string[]
      root: string
    }>(await goblin(['audit', 'prove', '--index', '4', '--json']))
    expect(proof).toMatchObject({ index: 4, size: 10, leaf_hash: batch.entries[3]?.leaf_hash, root: cp.root })
    const hex = (h: string) => Buffer.from(h, 'hex')
    expect(verifyInclusion(4, 10, hex(proof.leaf_hash), proof.proof.map(hex), hex(cp.root)).ok).toBe(true)
    const older = parseJson<{ root: string }>(
      await goblin(['audit', 'prove', '--index', '0', '--size', '3', '--json']),
    )
    const consistency = parseJson<{ from_root: string; to_root: string; proof: string[] }>(
      await goblin(['audit', 'prove', '--from', '3', '--to', '10', '--json']),
    )
    expect(consistency.from_root).toBe(older.root)
    expect(verifyConsistency(3, 10, consistency.proof.map(hex), hex(older.root), hex(cp.root)).ok).toBe(true)
    expect((await goblin(['audit', 'prove', '--index', '10'])).exitCode).toBe(2)

    const notePath = join(home, 'audit', 'checkpoints', '10.note')
    const noteOk = await goblin(['audit', 'note', 'verify', '--key', keygen.vkey, notePath, '--json'])
    expect(noteOk.exitCode).toBe(0)
    expect(parseJson(noteOk)).toMatchObject({
      ok: true,
      verified: [expect.stringMatching(/^ci\+/)],
      failed: [],
      unknown: [],
    })
    const other = parseJson<{ vkey: string }>(await goblin(['audit', 'keygen', '--name', 'other', '--json']))
    const noteOther = await goblin(['audit', 'note', 'verify', '--key', other.vkey, notePath])
    expect(noteOther.exitCode).toBe(1)
    expect(noteOther.stdout).toContain('unknown:  ci+')

    const verify = await goblin(['audit', 'verify', '--json'])
    expect(verify.exitCode).toBe(0)
    expect(parseJson(verify)).toMatchObject({ ok: true, entries: 10, checkpoints: 1, errors: [] })
    const withKey = await goblin(['audit', 'verify', '--key', keygen.vkey])
    expect(withKey.exitCode).toBe(0)
    expect(withKey.stdout).toContain('ok: 10 entries, 1 checkpoint(s)')

    const exported = await goblin(['audit', 'keys', 'export', '--json'])
    expect(exported.stdout).not.toContain('PRIVATE')
    writeFileSync(join(home, 'keyring.json'), exported.stdout)
    expect((await goblin(['audit', 'verify', '--keyring', join(home, 'keyring.json')])).exitCode).toBe(0)
  })

  it('verifies the C2SP spec example note, and fails it under another key', async () => {
    const { goblin } = session()
    const note = join(FIXTURES, 'c2sp-signed-note-example.note')
    const ok = await goblin([
      'audit',
      'note',
      'verify',
      '--key',
      'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k',
      note,
    ])
    expect(ok.exitCode).toBe(0)
    expect(ok.stdout).toContain('verified: example.com/foo+530d903a')
    const bad = await goblin(['audit', 'note', 'verify', '--key', 'not-a-key', note])
    expect(bad.exitCode, bad.stderr).toBe(2)
  })

  it('refuses to verify a ledger directory that holds no log (exit 2), so a typo never passes', async () => {
    const { goblin, home } = session()
    const run = await goblin(['audit', 'verify', '--ledger', join(home, 'no-such-dir'), '--json'])
    expect(run.exitCode).toBe(2)
    expect(parseJson<{ error: { code: string } }>(run).error.code).toBe('AUDIT_NO_LEDGER')
  })

  it('refuses a bad batch with exit 2, naming the line, and appends nothing of it', async () => {
    const { goblin, log } = session()
    await goblin(['audit', 'keygen'])
    await goblin(['audit', 'sign', '--input', '-'], jsonl(2))
    const before = readFileSync(log)
    const cases: Array<[string, RegExp]> = [
      [`${jsonl(3)}\n{"goblin_id":"x","action":"y"}`, /stdin:4: missing field "decision"/],
      [
        `${jsonl(1)}\n{"goblin_id":"x","action":"y","decision":"z","trace_id":"nothex"}`,
        /stdin:2: trace_id must be 32 lowercase hex/,
      ],
      [`${jsonl(2)}\n{not json`, /stdin:3: not valid JSON/],
    ]
    for (const [input, message] of cases) {
      const run = await goblin(['audit', 'sign', '--input', '-'], input)
      expect(run.exitCode).toBe(2)
      expect(run.stderr).toMatch(message)
      expect(readFileSync(log).equals(before)).toBe(true)
    }
    const json = await goblin(['audit', 'sign', '--input', '-', '--json'], '{"goblin_id":"x"}')
    expect(parseJson<{ error: { code: string; exit: number } }>(json).error).toMatchObject({
      code: 'AUDIT_BAD_EVENT',
      exit: 2,
    })
    const flags = await goblin([
      'audit',
      'sign',
      '--goblin',
      'g',
      '--action',
      'a',
      '--decision',
      'd',
      '--trace-id',
      'XYZ',
    ])
    expect(flags.exitCode).toBe(2)
    expect((await goblin(['audit', 'sign', '--goblin', 'g'])).exitCode).toBe(2)
    expect(readFileSync(log).equals(before)).toBe(true)
  })

  it('reports every problem of a tampered ledger with seq, line and kind (exit 1)', async () => {
    const { goblin, log } = session()
    await goblin(['audit', 'keygen'])
    await goblin(['audit', 'sign', '--input', '-'], jsonl(6))
    await goblin(['audit', 'checkpoint'])
    const lines = readFileSync(log, 'utf8').split('\n')
    lines[1] = (lines[1] as string).replace('"step-1"', '"step-X"')
    lines.splice(4, 1)
    writeFileSync(log, lines.join('\n'))
    const run = await goblin(['audit', 'verify', '--json'])
    expect(run.exitCode).toBe(1)
    const report = parseJson<{
      ok: boolean
      entries: number
      errors: Array<{ seq: number | null; line: number | null; kind: string }>
    }>(run)
    expect(report.ok).toBe(false)
    expect(report.entries).toBe(5)
    expect(report.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ seq: 1, line: 2, kind: 'bad-signature' }),
        expect.objectContaining({ seq: 5, line: 5, kind: 'gap' }),
        expect.objectContaining({ seq: null, line: null, kind: 'truncated-log' }),
      ]),
    )
    const human = await goblin(['audit', 'verify'])
    expect(human.exitCode).toBe(1)
    expect(human.stdout).toContain('line 2 seq 1: bad-signature')
    expect(human.stdout).toContain('FAILED: 3 problem(s)')
  })

  it('reports a torn last line, refuses to append on it, and repair sets it aside', async () => {
    const { goblin, log, home } = session()
    await goblin(['audit', 'keygen'])
    await goblin(['audit', 'sign', '--input', '-'], jsonl(3))
    const before = readFileSync(log)
    writeFileSync(log, Buffer.concat([before, Buffer.from('{"action":"cut off by a cra')]))
    const verify = await goblin(['audit', 'verify', '--json'])
    expect(verify.exitCode).toBe(1)
    expect(parseJson<{ errors: unknown[] }>(verify).errors).toEqual([
      expect.objectContaining({ line: 4, kind: 'torn-line' }),
    ])
    const refused = await goblin(['audit', 'sign', '--goblin', 'g', '--action', 'a', '--decision', 'd'])
    expect(refused.exitCode).toBe(1)
    expect(refused.stderr).toContain('goblin audit repair')
    const repair = parseJson<{ repaired: boolean; line: number; saved_to: string }>(
      await goblin(['audit', 'repair', '--json']),
    )
    expect(repair).toMatchObject({ repaired: true, line: 4 })
    expect(repair.saved_to.startsWith(join(home, 'audit', 'torn'))).toBe(true)
    expect(readFileSync(log).equals(before)).toBe(true)
    expect((await goblin(['audit', 'verify'])).exitCode).toBe(0)
  })

  it('checks a large log on worker threads with the same findings as one thread', async () => {
    const { goblin, log } = session()
    await goblin(['audit', 'keygen'])
    const signed = await goblin(['audit', 'sign', '--input', '-'], jsonl(6000))
    expect(signed.exitCode).toBe(0)
    const lines = readFileSync(log, 'utf8').split('\n')
    lines[4321] = (lines[4321] as string).replace('"step-4321"', '"step-0000"')
    lines[17] = (lines[17] as string).replace('"action"', '"action" ')
    writeFileSync(log, lines.join('\n'))
    const parallel = parseJson<{ entries: number; errors: unknown[] }>(
      await goblin(['audit', 'verify', '--json', '--threads', '2']),
    )
    const single = parseJson<{ entries: number; errors: unknown[] }>(
      await goblin(['audit', 'verify', '--json', '--threads', '1']),
    )
    expect(parallel.entries).toBe(6000)
    expect(parallel.errors).toEqual([
      expect.objectContaining({ seq: 17, line: 18, kind: 'modified-entry' }),
      expect.objectContaining({ seq: 4321, line: 4322, kind: 'bad-signature' }),
    ])
    expect(single).toEqual(parallel)
  })

  it('rotates and revokes keys; config sets the ledger directory and origin', async () => {
    const { goblin, home } = session()
    writeFileSync(
      join(home, 'goblin.config.json'),
      JSON.stringify({ audit: { ledger: 'ledger', origin: 'example.com/log', key: 'ops' } }),
    )
    await goblin(['audit', 'keygen'])
    await goblin(['audit', 'sign', '--goblin', 'g', '--action', 'a', '--decision', 'd'])
    const rotated = parseJson<{ retired: { kid: string; valid_until: string }; current: { vkey: string } }>(
      await goblin(['audit', 'keys', 'rotate', '--json']),
    )
    expect(rotated.retired.kid).toMatch(/^ops\+/)
    await goblin(['audit', 'sign', '--goblin', 'g', '--action', 'b', '--decision', 'd'])
    const cp = parseJson<{ origin: string; size: number }>(await goblin(['audit', 'checkpoint', '--json']))
    expect(cp).toMatchObject({ origin: 'example.com/log', size: 2 })
    expect(readFileSync(join(home, 'ledger', 'log.jsonl'), 'utf8').split('\n')).toHaveLength(3)
    expect((await goblin(['audit', 'verify'])).exitCode).toBe(0)
    const list = parseJson<{ keys: Array<{ status: string }> }>(
      await goblin(['audit', 'keys', 'list', '--json']),
    )
    expect(list.keys.map((k) => k.status)).toEqual(['retired', 'active'])
    const revoked = await goblin(['audit', 'keys', 'revoke', 'ops', '--at', '2000-01-01T00:00:00Z', '--json'])
    expect(parseJson<{ key: { revoked_at: string } }>(revoked).key.revoked_at).toBe(
      '2000-01-01T00:00:00.000Z',
    )
    const after = parseJson<{ ok: boolean; errors: Array<{ kind: string; seq: number }> }>(
      await goblin(['audit', 'verify', '--json']),
    )
    expect(after.errors).toEqual([expect.objectContaining({ seq: 1, kind: 'revoked-key' })])
    expect(
      (await goblin(['audit', 'sign', '--goblin', 'g', '--action', 'c', '--decision', 'd'])).exitCode,
    ).toBe(2)
  })
})
