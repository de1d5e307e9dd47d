import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GOBLIN_BIN, parseJson, runGoblin, tempDir } from '../../helpers/cli.js'

// Every command that takes a duration reads it with one parser (src/core/duration.ts): the same grammar
// (1h30m and 2w everywhere), the same limits, exit 2 with the flag named; and a long --every waits.
const home = tempDir('goblin-durations-')
const env = { GOBLIN_HOME: home.path }
const DEAD = 'http://127.0.0.1:9'

beforeAll(async () => {
  expect((await runGoblin(['audit', 'keygen', '--name', 'ci'], { env })).exitCode).toBe(0)
  const signed = await runGoblin(['audit', 'sign', '--goblin', 'g', '--action', 'a', '--decision', 'allow'], {
    env,
  })
  expect(signed.exitCode, signed.stderr).toBe(0)
})
afterAll(() => home.cleanup())

describe('one duration grammar in every command', () => {
  it('cost report --since reads 1h30m and 2w', async () => {
    for (const since of ['1h30m', '2w']) {
      const run = await runGoblin(['cost', 'report', '--since', since, '--json'], { env })
      expect(run.exitCode, run.stdout).toBe(0)
    }
  })

  it('trace list --since and --min-duration read them too (the dead backend answers 3, not 2)', async () => {
    const run = await runGoblin(
      ['trace', 'list', '--since', '2w', '--min-duration', '1m30s', '--endpoint', DEAD, '--json'],
      { env },
    )
    expect(parseJson<{ error: { code: string } }>(run).error.code).toBe('TRACE_BACKEND_UNREACHABLE')
    expect(run.exitCode).toBe(3)
  })

  const refused: Array<[string, string[], string]> = [
    ['cost report --since', ['cost', 'report', '--since', '99999999999d'], 'longer than 36500d'],
    [
      'trace list --since',
      ['trace', 'list', '--since', '99999999999d', '--endpoint', DEAD],
      'longer than 36500d',
    ],
    [
      'trace tail --for',
      ['trace', 'tail', '--for', '99999999999d', '--endpoint', DEAD],
      'longer than 36500d',
    ],
    ['audit checkpoint --every (too long)', ['audit', 'checkpoint', '--every', '400d'], 'longer than 366d'],
    ['audit checkpoint --every (too short)', ['audit', 'checkpoint', '--every', '10ms'], 'shorter than 1s'],
  ]
  for (const [name, args, why] of refused)
    it(`${name} refuses a duration past its limits with exit 2`, async () => {
      const run = await runGoblin([...args, '--json'], { env })
      const { error } = parseJson<{ error: { code: string; message: string } }>(run)
      expect(error.code).toBe('DURATION_OUT_OF_RANGE')
      expect(error.message).toContain(why)
      expect(run.exitCode).toBe(2)
    })

  it('a bare number is not a duration anywhere', async () => {
    for (const args of [
      ['cost', 'report', '--since', '30'],
      ['audit', 'checkpoint', '--every', '30'],
      ['trace', 'tail', '--for', '30', '--endpoint', DEAD],
    ]) {
      const run = await runGoblin([...args, '--json'], { env })
      expect(parseJson<{ error: { code: string } }>(run).error.code, args.join(' ')).toMatch(
        /^BAD_(DURATION|TIME)$/,
      )
      expect(run.exitCode).toBe(2)
    }
  })
})

describe('audit checkpoint --every 30d', { timeout: 60_000 }, () => {
  it('checkpoints once, then waits (30 days overflow a Node timer: it used to fire every 1 ms)', async () => {
    const child = execa(process.execPath, [GOBLIN_BIN, 'audit', 'checkpoint', '--every', '30d', '--json'], {
      env: { ...env, NO_COLOR: '1', CI: 'true' },
      reject: false,
    })
    // Under --json the checkpoints are reported at the end: the first one shows as its file.
    const firstNote = join(home.path, 'audit/checkpoints/1.note')
    while (!existsSync(firstNote)) await new Promise((resolve) => setTimeout(resolve, 50))
    // The log grows after the first round: a loop that spins would checkpoint size 2 within milliseconds.
    const signed = await runGoblin(
      ['audit', 'sign', '--goblin', 'g', '--action', 'b', '--decision', 'allow'],
      { env },
    )
    expect(signed.exitCode).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    child.kill('SIGTERM')
    const result = await child
    expect(result.exitCode, result.stderr).toBe(0)
    const report = JSON.parse(String(result.stdout)) as { every: string; checkpoints: { size: number }[] }
    expect(report.every).toBe('30d')
    expect(report.checkpoints.map((c) => c.size)).toEqual([1])
  })
})
