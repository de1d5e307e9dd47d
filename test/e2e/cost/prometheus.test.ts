import { writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { execa, type ResultPromise } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GOBLIN_BIN, parseJson, runGoblin, tempDir } from '../../helpers/cli.js'

// A real Prometheus (Debian's `prometheus` package) scraping a real `goblin collector serve`.
const strAttr = (key: string, value: string) => ({ key, value: { stringValue: value } })

function otlpJson(calls: Array<{ goblin: string; model: string; provider: string; cost: number }>) {
  const now = BigInt(Date.now()) * 1_000_000n
  return {
    resourceSpans: [
      {
        resource: { attributes: [strAttr('service.name', 'prom-test')] },
        scopeSpans: [
          {
            scope: { name: 'test' },
            spans: calls.map((c, i) => ({
              traceId: 'c'.repeat(32),
              spanId: (i + 1).toString(16).padStart(16, '0'),
              name: `chat ${c.model}`,
              kind: 3,
              startTimeUnixNano: String(now),
              endTimeUnixNano: String(now + 1_000_000n),
              attributes: [
                strAttr('gen_ai.request.model', c.model),
                strAttr('gen_ai.provider.name', c.provider),
                strAttr('goblin.id', c.goblin),
                { key: 'llm.cost', value: { doubleValue: c.cost } },
              ],
            })),
          },
        ],
      },
    ],
  }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

describe('cost report --backend prometheus against a real Prometheus', { timeout: 180_000 }, () => {
  const home = tempDir()
  const env = { GOBLIN_HOME: home.path }
  let collector: ResultPromise
  let prometheus: ResultPromise
  let promUrl = ''

  beforeAll(async () => {
    collector = execa(process.execPath, [GOBLIN_BIN, 'collector', 'serve', '--port', '0'], {
      env: { ...env, NO_COLOR: '1', CI: 'true' },
      reject: false,
    })
    const collectorUrl = await new Promise<string>((resolve, reject) => {
      let out = ''
      collector.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        const match = /listening on (http:\/\/\S+)/.exec(out)
        if (match?.[1]) resolve(match[1])
      })
      collector.once('exit', (code) => reject(new Error(`collector exited ${code}`)))
    })
    const promPort = await freePort()
    promUrl = `http://127.0.0.1:${promPort}`
    const config = join(home.path, 'prometheus.yml')
    writeFileSync(
      config,
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: goblin\n    static_configs:\n      - targets: ['${new URL(collectorUrl).host}']\n`,
    )
    prometheus = execa(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(home.path, 'prometheus-data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { reject: false },
    )
    await waitFor('Prometheus ready', async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined))
    const sent = await fetch(`${collectorUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        otlpJson([
          { goblin: 'researcher', model: 'gpt-4o', provider: 'openai', cost: 0.5 },
          { goblin: 'researcher', model: 'gpt-4o', provider: 'openai', cost: 0.25 },
          { goblin: 'writer', model: 'claude-sonnet-4-5', provider: 'anthropic', cost: 1.5 },
        ]),
      ),
    })
    expect(sent.ok).toBe(true)
    await waitFor('the counter scraped twice', async () => {
      const answer = (await (
        await fetch(
          `${promUrl}/api/v1/query?query=${encodeURIComponent('count_over_time(goblin_cost_usd_total[1m])')}`,
        )
      ).json()) as { data: { result: Array<{ value: [number, string] }> } }
      const counts = answer.data.result.map((r) => Number(r.value[1]))
      return counts.length === 2 && counts.every((c) => c >= 2) ? true : undefined
    })
  }, 90_000)

  afterAll(async () => {
    prometheus?.kill('SIGTERM')
    collector?.kill('SIGTERM')
    await Promise.allSettled([prometheus, collector])
    home.cleanup()
  })

  it('reads goblin_cost_usd_total through the HTTP API, counting series that began in the window', async () => {
    const run = await runGoblin(
      [
        'cost',
        'report',
        '--backend',
        'prometheus',
        '--prometheus-url',
        promUrl,
        '--since',
        '10m',
        '--by',
        'goblin,model',
        '--json',
      ],
      { env },
    )
    expect(run.exitCode, run.stderr).toBe(0)
    const report = parseJson<{
      rows: Array<{ key: Record<string, string>; usd: number; calls: null }>
      total: { usd: number }
    }>(run)
    expect(report.rows).toEqual([
      expect.objectContaining({
        key: { goblin: 'writer', model: 'claude-sonnet-4-5' },
        usd: 1.5,
        calls: null,
      }),
      expect.objectContaining({ key: { goblin: 'researcher', model: 'gpt-4o' }, usd: 0.75, calls: null }),
    ])
    expect(report.total.usd).toBe(2.25)
    const human = await runGoblin(
      ['cost', 'report', '--backend', 'prometheus', '--prometheus-url', promUrl, '--by', 'provider'],
      { env },
    )
    expect(human.stdout).toMatch(/anthropic\s+\$1\.50\s+█{20}/)
  })

  it('is exit 3 when Prometheus does not answer', async () => {
    const run = await runGoblin(
      [
        'cost',
        'report',
        '--backend',
        'prometheus',
        '--prometheus-url',
        `http://127.0.0.1:${await freePort()}`,
      ],
      {
        env,
      },
    )
    expect(run.exitCode).toBe(3)
    expect(run.stderr).toContain('does not answer')
  })
})
