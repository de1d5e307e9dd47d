import { readFileSync, rmSync, truncateSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parseJson, runGoblin, tempDir } from '../../helpers/cli.js'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

interface VerifyJson {
  ok: boolean
  since: { size: number } | null
  remembered: { origin: string; size: number } | null
  errors: { kind: string; file?: string; message: string }[]
}

describe('goblin audit verify keeps state under GOBLIN_HOME (built CLI)', { timeout: 240_000 }, () => {
  it('refuses another origin, remembers what it verified, and reports a cut-back log', async () => {
    const home = tempDir('goblin-verify-state-')
    cleanups.push(home.cleanup)
    const goblin = (...args: string[]) => runGoblin(args, { env: { GOBLIN_HOME: home.path }, cwd: home.path })
    const events = Array.from({ length: 6 }, (_, i) =>
      JSON.stringify({ goblin_id: 'g', action: `a${i}`, decision: 'allow' }),
    )
    expect((await goblin('audit', 'keygen', '--name', 'example.com/audit')).exitCode).toBe(0)
    for (const input of [events.slice(0, 3), events.slice(3)]) {
      const signed = await runGoblin(['audit', 'sign', '--input', '-'], {
        env: { GOBLIN_HOME: home.path },
        cwd: home.path,
        input: input.join('\n'),
      })
      expect(signed.exitCode, signed.stderr).toBe(0)
      expect((await goblin('audit', 'checkpoint', '--origin', 'example.com/audit')).exitCode).toBe(0)
    }
    // Checkpoints of an origin other than the one expected are refused, signed by a trusted key or not.
    const wrongOrigin = await goblin('audit', 'verify', '--origin', 'other.example/log', '--json')
    expect(wrongOrigin.exitCode).toBe(1)
    expect(parseJson<VerifyJson>(wrongOrigin).errors.map((e) => e.kind)).toEqual([
      'checkpoint-origin',
      'checkpoint-origin',
      'checkpoint-origin',
    ])

    // A key named like an origin is its log's origin (tlog-policy), so no --origin is needed.
    const first = await goblin('audit', 'verify', '--json')
    expect(first.exitCode, first.stdout).toBe(0)
    expect(parseJson<VerifyJson>(first)).toMatchObject({
      since: null,
      remembered: { origin: 'example.com/audit', size: 6 },
    })

    const since = join(home.path, 'audit', 'checkpoints', '3.note')
    const human = await goblin('audit', 'verify', '--since-checkpoint', since)
    expect(human.exitCode).toBe(0)
    expect(human.stderr).toContain('extends checkpoint 6 (verified on ')

    // Cut the log back to 3 entries and delete the checkpoint that covered 6.
    const log = join(home.path, 'audit', 'log.jsonl')
    truncateSync(log, readFileSync(log, 'utf8').split('\n').slice(0, 3).join('\n').length + 1)
    rmSync(join(home.path, 'audit', 'checkpoints', '6.note'))
    const cut = await goblin('audit', 'verify', '--origin', 'example.com/audit', '--json')
    expect(cut.exitCode).toBe(1)
    // Vanished twice: from this machine's state and from the published checkpoint file.
    expect(
      parseJson<VerifyJson>(cut)
        .errors.map((e) => e.kind)
        .sort(),
    ).toEqual(['checkpoint-vanished', 'checkpoint-vanished', 'log-rolled-back'])
    const text = await goblin('audit', 'verify', '--origin', 'example.com/audit')
    expect(text.stdout).toMatch(
      /log-rolled-back: the log has 3 entries but checkpoint 6 of example.com\/audit/,
    )
    const missing = await goblin(
      'audit',
      'verify',
      '--origin',
      'example.com/audit',
      '--since-checkpoint',
      join(home.path, 'nope.note'),
    )
    expect(missing.exitCode).toBe(2)
  })
})
