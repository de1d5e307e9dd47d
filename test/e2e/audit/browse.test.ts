import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BrowseResult } from '../../../src/audit/browse.js'
import { parseJson, runGoblin, tempDir } from '../../helpers/cli.js'

// goblin audit get / search over a real ledger written by the built CLI, then tampered with.
const home = tempDir('goblin-audit-browse-')
afterAll(() => home.cleanup())
const env = { GOBLIN_HOME: home.path }
const goblin = (args: string[], input?: string) => runGoblin(args, { env, input, cwd: home.path })
const log = join(home.path, 'audit', 'log.jsonl')
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'

describe('goblin audit get and search (built CLI)', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    expect((await goblin(['audit', 'keygen', '--name', 'ci'])).exitCode).toBe(0)
    const events = [
      {
        goblin_id: 'researcher',
        action: 'tool.call',
        decision: 'allow',
        trace_id: TRACE,
        attrs: { tool: 'search' },
      },
      { goblin_id: 'researcher', action: 'tool.call', decision: 'deny', trace_id: TRACE },
      { goblin_id: 'bot', action: 'tool.Bash', decision: 'deny' },
    ]
    const input = events.map((e) => JSON.stringify(e)).join('\n')
    expect((await goblin(['audit', 'sign', '--input', '-'], input)).exitCode).toBe(0)
    expect((await goblin(['audit', 'checkpoint'])).exitCode).toBe(0)
    const last = ['audit', 'sign', '--goblin', 'bot', '--action', 'tool.Bash', '--decision', 'allow']
    expect((await goblin(last)).exitCode).toBe(0)
  })

  it('get shows one entry, its attributes and its state; an unknown seq is exit 1', async () => {
    const one = await goblin(['audit', 'get', '0'])
    expect(one.exitCode).toBe(0)
    expect(one.stdout).toMatch(/^goblin +researcher$/m)
    expect(one.stdout).toContain('"tool": "search"')
    expect(one.stdout).toContain('checkpointed: signature verified, covered by checkpoint 3')
    const json = parseJson<BrowseResult>(await goblin(['audit', 'get', '3', '--json']))
    expect(json.matches).toHaveLength(1)
    expect(json.matches[0]).toMatchObject({ seq: 3, line: 4, envelope: { decision: 'allow' } })
    expect(json.matches[0]?.verification).toEqual({ state: 'signed', checkpoint: null, problems: [] })
    const missing = await goblin(['audit', 'get', '7', '--json'])
    expect(missing.exitCode).toBe(1)
    expect(parseJson<{ error: { code: string; message: string } }>(missing).error).toMatchObject({
      code: 'AUDIT_ENTRY_NOT_FOUND',
      message: expect.stringContaining('4 entries: seq 0 to 3'),
    })
    expect((await goblin(['audit', 'get', 'x'])).exitCode).toBe(2)
  })

  it('search filters by goblin, action, decision, trace prefix and time', async () => {
    const seqs = async (args: string[]) =>
      parseJson<BrowseResult>(await goblin(['audit', 'search', ...args, '--json'])).matches.map((m) => m.seq)
    expect(await seqs([])).toEqual([0, 1, 2, 3])
    expect(await seqs(['--goblin', 'bot'])).toEqual([2, 3])
    expect(await seqs(['--decision', 'deny'])).toEqual([1, 2])
    expect(await seqs(['--goblin', 'researcher', '--decision', 'deny'])).toEqual([1])
    expect(await seqs(['--action', 'tool.Bash', '--decision', 'allow'])).toEqual([3])
    expect(await seqs(['--trace', TRACE.slice(0, 8).toUpperCase()])).toEqual([0, 1])
    expect(await seqs(['--since', '1h'])).toEqual([0, 1, 2, 3])
    expect(await seqs(['--since', '2099-01-01'])).toEqual([])
    expect(await seqs(['--limit', '2'])).toEqual([0, 1])
    const table = await goblin(['audit', 'search', '--goblin', 'bot'])
    expect(table.stdout).toMatch(/^ +2 +\S+ +bot +tool\.Bash +deny +- +checkpointed$/m)
    expect(table.stdout).toMatch(/^ +3 .* signed$/m)
    expect(table.stdout).toContain('2 of 4 entries in')
    const bad = await goblin(['audit', 'search', '--trace', 'xyz'])
    expect(bad.exitCode).toBe(2)
    expect((await goblin(['audit', 'search', '--since', 'yesterday'])).exitCode).toBe(2)
  })

  it('an edited entry is failed with the kind verify names; the others keep their state', async () => {
    const lines = readFileSync(log, 'utf8').split('\n')
    lines[1] = (lines[1] as string).replace('"deny"', '"allow"')
    writeFileSync(log, lines.join('\n'))
    const get = await goblin(['audit', 'get', '1', '--json'])
    expect(get.exitCode).toBe(1)
    const entry = parseJson<BrowseResult>(get).matches[0]
    expect(entry?.envelope).toMatchObject({ decision: 'allow' })
    expect(entry?.verification.state).toBe('failed')
    expect(entry?.verification.problems.map((p) => p.kind)).toContain('bad-signature')
    const search = parseJson<BrowseResult>(await goblin(['audit', 'search', '--json']))
    // The edit also breaks checkpoint 3's root: no checkpoint vouches for anything any more.
    expect(search.checkpoint).toBeNull()
    expect(search.logProblems.map((p) => p.kind)).toContain('checkpoint-mismatch')
    expect(search.matches.map((m) => m.verification.state)).toEqual(['signed', 'failed', 'signed', 'signed'])
    const human = await goblin(['audit', 'get', '1'])
    expect(human.stdout).toMatch(/^failed: bad-signature: /m)
  })

  it('a missing ledger is exit 2 naming it', async () => {
    const run = await goblin(['audit', 'search', '--ledger', join(home.path, 'nowhere')])
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('no audit log in')
  })
})
