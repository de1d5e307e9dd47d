import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseJson, runGoblin, tempDir } from '../../helpers/cli.js'

// `goblin audit sign --input` signs exactly what it was given, or refuses (exit 2, naming the line) and
// appends nothing: bytes that are not UTF-8, numbers a double would round, inputs too large to hold.
const home = tempDir('goblin-exact-input-')
const env = { GOBLIN_HOME: home.path }
const log = join(home.path, 'audit/log.jsonl')
const event = (extra = '') => `{"goblin_id":"g","action":"a","decision":"allow"${extra}}\n`

beforeAll(async () => {
  expect((await runGoblin(['audit', 'keygen', '--name', 'ci'], { env })).exitCode).toBe(0)
})
afterAll(() => home.cleanup())

async function signFile(name: string, content: Buffer | string) {
  const path = join(home.path, name)
  writeFileSync(path, content)
  return runGoblin(['audit', 'sign', '--input', path, '--json'], { env })
}

function refusal(run: { exitCode: number; stdout: string; stderr: string }) {
  expect(run.exitCode, run.stdout + run.stderr).toBe(2)
  expect(existsSync(log)).toBe(false)
  return parseJson<{ error: { code: string; message: string } }>(run).error
}

describe('audit sign --input: exact input or a clear refusal', () => {
  it('refuses a line that is not UTF-8 (it used to be signed with U+FFFD in its place)', async () => {
    const latin1 = Buffer.concat([
      Buffer.from(event()),
      Buffer.from(event(',"attrs":{"who":"José"}'), 'latin1'),
    ])
    const error = refusal(await signFile('latin1.jsonl', latin1))
    expect(error.code).toBe('AUDIT_NOT_UTF8')
    expect(error.message).toMatch(/latin1\.jsonl:2: not valid UTF-8/)
  })

  it('refuses 12345678901234567890 (it used to be stored as 12345678901234567000)', async () => {
    const error = refusal(await signFile('big.jsonl', event(',"attrs":{"tokens":12345678901234567890}')))
    expect(error.code).toBe('AUDIT_INEXACT_NUMBER')
    expect(error.message).toBe(
      `${join(home.path, 'big.jsonl')}:1: the number 12345678901234567890 cannot be signed exactly (a JSON double holds it as 12345678901234567000)`,
    )
  })

  it('refuses a directory given as the input file, as bad input', async () => {
    const dir = join(home.path, 'a-directory')
    mkdirSync(dir)
    const run = await runGoblin(['audit', 'sign', '--input', dir, '--json'], { env })
    expect(refusal(run)).toMatchObject({ code: 'AUDIT_NO_INPUT', message: `${dir} is not a file` })
  })

  it('refuses stdin past 64 MiB with a size error (a 1 GiB input read as "cannot read -")', async () => {
    const line = event(`,"attrs":{"pad":"${'x'.repeat(1000)}"}`)
    const input = line.repeat(Math.ceil((65 * 1024 * 1024) / line.length))
    const run = await runGoblin(['audit', 'sign', '--input', '-', '--json'], { env, input, timeout: 120_000 })
    expect(refusal(run)).toMatchObject({
      code: 'AUDIT_INPUT_TOO_LARGE',
      message: 'stdin: larger than 64 MiB, the largest batch audit sign takes',
    })
  })

  it('signs what it was given: the ledger line holds the same text and the same numbers', async () => {
    const run = await signFile(
      'ok.jsonl',
      event(',"attrs":{"who":"José","n":9007199254740991,"id":"12345678901234567890"}'),
    )
    expect(run.exitCode, run.stderr).toBe(0)
    const line = readFileSync(log, 'utf8').trim()
    expect(line).toContain('"id":"12345678901234567890"')
    expect(line).toContain('"n":9007199254740991')
    expect(line).toContain('"who":"José"')
  })
})
