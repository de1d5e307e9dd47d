import { readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseJson, REPO_ROOT, runGoblin, tempDir } from '../../helpers/cli.js'

const FIXTURE = join(REPO_ROOT, 'test/fixtures/cost/litellm-model-prices.trimmed.json')

describe('goblin cost prices / estimate', { timeout: 180_000 }, () => {
  const home = tempDir()
  const env = { GOBLIN_HOME: home.path }
  let server: Server
  let base = ''

  beforeAll(async () => {
    // A real HTTP server on 127.0.0.1 serving the price file, a broken file and a 404.
    server = createServer((req, res) => {
      if (req.url === '/prices.json') res.end(readFileSync(FIXTURE))
      else if (req.url === '/broken.json') res.end('{"gpt-4o": {"input_cost_per_token": "cheap"}}')
      else {
        res.statusCode = 404
        res.end('not found')
      }
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  afterAll(() => {
    server.close()
    home.cleanup()
  })

  it('estimates a call from the bundled snapshot, pricing cache reads at their own rate', async () => {
    const run = await runGoblin(
      [
        'cost',
        'estimate',
        '--model',
        'claude-sonnet-4-5',
        '--input-tokens',
        '50000',
        '--cached-input-tokens',
        '40000',
        '--output-tokens',
        '2000',
        '--json',
      ],
      { env },
    )
    expect(run.exitCode, run.stderr).toBe(0)
    const estimate = parseJson<{ usd: number; origin: string; parts: Record<string, number> }>(run)
    // 10,000 x $3/M + 40,000 x $0.30/M + 2,000 x $15/M
    expect(estimate.usd).toBeCloseTo(0.03 + 0.012 + 0.03, 9)
    expect(estimate.origin).toBe('bundled')
    expect(estimate.parts).toEqual({ input: 0.03, cachedInput: 0.012, cacheCreation: 0, output: 0.03 })
    const human = await runGoblin(
      [
        'cost',
        'estimate',
        '--model',
        'openai/gpt-4o-2024-08-06',
        '--input-tokens',
        '1000',
        '--output-tokens',
        '100',
      ],
      { env },
    )
    expect(human.stdout).toContain(
      '$0.0035  openai/gpt-4o-2024-08-06 (priced as gpt-4o-2024-08-06), openai, bundled prices',
    )
  })

  it('refuses an unknown model (exit 2) instead of pricing it at $0', async () => {
    const run = await runGoblin(
      [
        'cost',
        'estimate',
        '--model',
        'gpt-99-omega',
        '--input-tokens',
        '1',
        '--output-tokens',
        '1',
        '--json',
      ],
      { env },
    )
    expect(run.exitCode).toBe(2)
    expect(parseJson<{ error: { code: string; hint: string } }>(run).error).toMatchObject({
      code: 'COST_UNKNOWN_MODEL',
    })
    const show = await runGoblin(['cost', 'prices', 'show', 'gpt-99-omega'], { env })
    expect(show.exitCode).toBe(2)
    expect(show.stderr).toContain('unknown model "gpt-99-omega"')
  })

  it('rejects cache counts larger than the input (exit 2)', async () => {
    const run = await runGoblin(
      [
        'cost',
        'estimate',
        '--model',
        'gpt-4o',
        '--input-tokens',
        '10',
        '--cached-input-tokens',
        '20',
        '--output-tokens',
        '1',
      ],
      { env },
    )
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('exceed --input-tokens')
  })

  it('imports a LiteLLM file from disk and from a URL; imported prices override the snapshot', async () => {
    const fromFile = await runGoblin(['cost', 'prices', 'import', FIXTURE, '--json'], { env })
    expect(fromFile.exitCode, fromFile.stderr).toBe(0)
    expect(parseJson(fromFile)).toMatchObject({ format: 'litellm', models: 12, skipped: 3 })
    const fromUrl = await runGoblin(['cost', 'prices', 'import', `${base}/prices.json`], { env })
    expect(fromUrl.exitCode, fromUrl.stderr).toBe(0)
    expect(fromUrl.stdout).toContain(
      'imported 12 model prices (litellm format, 3 entries not priced per token skipped)',
    )
    const show = await runGoblin(['cost', 'prices', 'show', 'gpt-4o', '--json'], { env })
    expect(parseJson(show)).toMatchObject({
      matchedBy: 'exact',
      price: { origin: 'imported', inputPerToken: 2.5e-6 },
    })
    const list = parseJson<{
      tables: Array<{ origin: string }>
      models: Array<{ model: string; origin: string }>
    }>(await runGoblin(['cost', 'prices', 'list', '--search', 'gemini', '--json'], { env }))
    expect(list.tables.map((t) => t.origin)).toEqual(['bundled', 'bundled', 'override', 'imported'])
    expect(list.models.find((m) => m.model === 'gemini/gemini-2.5-pro')?.origin).toBe('imported')
    const table = await runGoblin(['cost', 'prices', 'list', '--provider', 'deepseek'], { env })
    expect(table.stdout).toMatch(/deepseek-chat\s+deepseek\s+\$0\.28\s+\$0\.028\s+-\s+\$0\.42\s+imported/)
  })

  it('keeps the previous table on a malformed file (exit 2) and an unreachable URL (exit 3)', async () => {
    const pricesFile = join(home.path, 'prices/prices.json')
    await runGoblin(['cost', 'prices', 'import', FIXTURE], { env })
    const before = readFileSync(pricesFile, 'utf8')
    const broken = join(home.path, 'broken.json')
    writeFileSync(broken, '{"gpt-4o": {"input_cost_per_token": 0.1, ')
    const malformed = await runGoblin(['cost', 'prices', 'import', broken], { env })
    expect(malformed.exitCode).toBe(2)
    expect(malformed.stderr).toContain('not valid JSON')
    const badValue = await runGoblin(['cost', 'prices', 'import', `${base}/broken.json`, '--json'], { env })
    expect(badValue.exitCode).toBe(2)
    expect(parseJson<{ error: { message: string } }>(badValue).error.message).toContain(
      'model "gpt-4o": input_cost_per_token',
    )
    const missing = await runGoblin(['cost', 'prices', 'import', `${base}/nope.json`], { env })
    expect(missing.exitCode).toBe(3)
    const closedPort = await runGoblin(['cost', 'prices', 'import', 'http://127.0.0.1:9/prices.json'], {
      env,
    })
    expect(closedPort.exitCode).toBe(3)
    expect(closedPort.stderr).toContain('cannot fetch http://127.0.0.1:9/prices.json')
    expect(readFileSync(pricesFile, 'utf8')).toBe(before)
  })

  it("refreshes from LiteLLM's file at a URL; unreachable is exit 3, a bad URL exit 2, the table kept", async () => {
    const refreshed = await runGoblin(
      ['cost', 'prices', 'refresh', '--url', `${base}/prices.json`, '--json'],
      { env },
    )
    expect(refreshed.exitCode, refreshed.stderr).toBe(0)
    expect(refreshed.stderr).toContain(`downloading LiteLLM's price table from ${base}/prices.json`)
    expect(parseJson(refreshed)).toMatchObject({
      format: 'litellm',
      models: 12,
      source: `${base}/prices.json`,
    })
    const before = readFileSync(join(home.path, 'prices/prices.json'), 'utf8')
    const down = await runGoblin(['cost', 'prices', 'refresh', '--url', 'http://127.0.0.1:9/prices.json'], {
      env,
    })
    expect(down.exitCode).toBe(3)
    expect(down.stderr).toContain('cannot fetch http://127.0.0.1:9/prices.json')
    expect(down.stderr).toContain('download the file and import it from disk')
    const notUrl = await runGoblin(['cost', 'prices', 'refresh', '--url', 'ftp://example.com/prices.json'], {
      env,
    })
    expect(notUrl.exitCode).toBe(2)
    expect(notUrl.stderr).toContain('--url')
    expect(readFileSync(join(home.path, 'prices/prices.json'), 'utf8')).toBe(before)
  })

  it('shows every dimension of a tiered price', async () => {
    await runGoblin(['cost', 'prices', 'import', FIXTURE], { env })
    const shown = await runGoblin(['cost', 'prices', 'show', 'claude-sonnet-4-5-20250929'], { env })
    expect(shown.exitCode, shown.stderr).toBe(0)
    expect(shown.stdout).toContain('cache writes   $3.75 / 1M tokens (5 minutes), $6.00 (1 hour)')
    expect(shown.stdout).toContain('prompts over 200,000 tokens (every token of the request):')
    expect(shown.stdout).toContain('    input          $6.00 / 1M tokens')
    expect(shown.stdout).toContain('    cache writes   $7.50 / 1M tokens (5 minutes), $12.00 (1 hour)')
  })

  it('rejects bad report flags with exit 2', async () => {
    const by = await runGoblin(['cost', 'report', '--by', 'colour'], { env })
    expect(by.exitCode).toBe(2)
    expect(by.stderr).toContain('--by colour: not a group key')
    const since = await runGoblin(['cost', 'report', '--since', 'last tuesday'], { env })
    expect(since.exitCode).toBe(2)
    const both = await runGoblin(['cost', 'report', '--csv', '--json'], { env })
    expect(both.exitCode).toBe(2)
    const promKey = await runGoblin(['cost', 'report', '--backend', 'prometheus', '--by', 'task'], { env })
    expect(promKey.exitCode).toBe(2)
    expect(promKey.stderr).toContain('cannot group by task')
  })
})
