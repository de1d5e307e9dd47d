import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa, type ResultPromise } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GOBLIN_BIN, parseJson, REPO_ROOT, runGoblin, tempDir } from '../../helpers/cli.js'

// Real spans, sent by goblin's telemetry SDK in a separate process, into a real `goblin collector serve`.
const SENDER = join(REPO_ROOT, 'test/fixtures/cost/send-llm-spans.mjs')
// gpt-4o: 6,000 plain input x $2.5/M + 4,000 cache reads x $1.25/M + 1,000 output x $10/M
const GPT4O_USD = 0.03
// claude: the span's own llm.cost wins over its tokens
const CLAUDE_USD = 0.25
// gpt-4o-mini: the two child calls (3,000 in x $0.15/M + 300 out x $0.6/M); the agent parent is not counted again
const MINI_USD = 0.00063
const TOTAL_USD = GPT4O_USD + CLAUDE_USD + MINI_USD

interface ReportJson {
  rows: Array<{
    key: Record<string, string>
    usd: number
    calls: number
    inputTokens: number
    unknownModelCalls: number
  }>
  total: { usd: number; calls: number; unknownModelCalls: number }
  unknownModels: Array<{ model: string; calls: number }>
}

describe('cost from SDK spans through the embedded collector', { timeout: 180_000 }, () => {
  const home = tempDir()
  const project = tempDir('goblin-project-')
  const env = { GOBLIN_HOME: home.path }
  let collector: ResultPromise
  let url = ''
  let metricsText = ''

  beforeAll(async () => {
    collector = execa(process.execPath, [GOBLIN_BIN, 'collector', 'serve', '--port', '0'], {
      env: { ...env, NO_COLOR: '1', CI: 'true' },
      reject: false,
    })
    url = await new Promise<string>((resolve, reject) => {
      let out = ''
      collector.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        const match = /listening on (http:\/\/\S+)/.exec(out)
        if (match?.[1]) resolve(match[1])
      })
      collector.once('exit', (code) => reject(new Error(`collector exited ${code} before listening`)))
    })
    // The SDK's default exporter: OTLP/HTTP protobuf.
    const sent = await execa(process.execPath, [SENDER, url], { cwd: REPO_ROOT, reject: false })
    expect(sent.exitCode, String(sent.stderr)).toBe(0)
    // The collector writes asynchronously: wait until the counter shows every priced call.
    for (let i = 0; i < 100; i++) {
      metricsText = await (await fetch(`${url}/metrics`)).text()
      if (sumCost(metricsText) >= TOTAL_USD - 1e-9) break
      await new Promise((r) => setTimeout(r, 100))
    }
    collector.kill('SIGTERM')
    await collector
  }, 60_000)

  afterAll(() => {
    collector?.kill('SIGKILL')
    home.cleanup()
    project.cleanup()
  })

  it('fills goblin_cost_usd_total{goblin,model,provider} as spans arrive, without double counting', () => {
    expect(sumCost(metricsText)).toBeCloseTo(TOTAL_USD, 9)
    expect(metricsText).toMatch(
      /goblin_cost_usd_total\{goblin="researcher",model="gpt-4o",provider="openai"\} 0\.03\b/,
    )
    expect(metricsText).toContain('model="claude-sonnet-4-5",provider="anthropic"} 0.25')
  })

  it('reports cost by model and goblin', async () => {
    const run = await runGoblin(['cost', 'report', '--by', 'model,goblin', '--json'], { env })
    expect(run.exitCode, run.stderr).toBe(0)
    const report = parseJson<ReportJson>(run)
    const row = (model: string) => report.rows.find((r) => r.key.model === model)
    expect(row('gpt-4o')).toMatchObject({
      key: { model: 'gpt-4o', goblin: 'researcher' },
      calls: 1,
      inputTokens: 10_000,
    })
    expect(row('gpt-4o')?.usd).toBeCloseTo(GPT4O_USD, 9)
    expect(row('claude-sonnet-4-5')?.usd).toBeCloseTo(CLAUDE_USD, 9)
    expect(row('gpt-4o-mini')).toMatchObject({ calls: 2, inputTokens: 3_000 })
    expect(row('gpt-4o-mini')?.usd).toBeCloseTo(MINI_USD, 9)
    expect(row('in-house-llm-7b')).toMatchObject({ usd: 0, unknownModelCalls: 1 })
    expect(report.unknownModels).toEqual([{ model: 'in-house-llm-7b', provider: 'self-hosted', calls: 1 }])
    expect(report.total.calls).toBe(5)
    expect(report.total.usd).toBeCloseTo(TOTAL_USD, 9)
  })

  it('renders a table with bars, and CSV', async () => {
    const table = await runGoblin(['cost', 'report', '--by', 'task'], { env })
    expect(table.exitCode, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/T-1\s+\$0\.28\s+2\s+12,000\s+1,100\s+█{20}/)
    expect(table.stdout).toContain(
      'Not priced (unknown models, not counted as $0): in-house-llm-7b (1 calls)',
    )
    const csv = await runGoblin(['cost', 'report', '--by', 'task', '--csv'], { env })
    expect(csv.stdout.split('\r\n')[0]).toBe(
      'task,usd,calls,input_tokens,output_tokens,cached_input_tokens,unknown_model_calls',
    )
    expect(csv.stdout).toContain('T-1,0.28,2,12000,1100,4000,0')
  })

  it('checks envelopes: over budget exits 1, exactly at budget warns and exits 0', async () => {
    const config = (budgets: unknown[]) =>
      writeFileSync(join(project.path, 'goblin.config.json'), JSON.stringify({ cost: { budgets } }))
    config([
      { goblin: 'researcher', period: 'day', usd: 0.28 },
      { task: 'T-2', period: 'week', usd: MINI_USD, warn_at: 0.9 },
      { goblin: 'writer', period: 'month', usd: 5 },
    ])
    const over = await runGoblin(['cost', 'check', '--json'], { env, cwd: project.path })
    expect(over.exitCode, over.stdout + over.stderr).toBe(1)
    const check = parseJson<{ envelopes: Array<{ status: string; spentUsd: number }>; summary: unknown }>(
      over,
    )
    expect(check.envelopes.map((e) => e.status)).toEqual(['exceeded', 'warn', 'ok'])
    expect(check.envelopes[0]?.spentUsd).toBeCloseTo(TOTAL_USD, 9)
    expect(check.summary).toEqual({ ok: 1, warn: 1, exceeded: 1 })
    const human = await runGoblin(['cost', 'check'], { env, cwd: project.path })
    expect(human.exitCode).toBe(1)
    expect(human.stdout).toMatch(
      /EXCEEDED\s+goblin=researcher\s+day from \d{4}-\d{2}-\d{2}\s+\$0\.2806\s+\$0\.28/,
    )
    config([{ goblin: 'researcher', period: 'day', usd: TOTAL_USD }])
    const atBudget = await runGoblin(['cost', 'check', '--json'], { env, cwd: project.path })
    expect(atBudget.exitCode, atBudget.stdout + atBudget.stderr).toBe(0)
    expect(parseJson<{ summary: unknown }>(atBudget).summary).toEqual({ ok: 0, warn: 1, exceeded: 0 })
  })
})

function sumCost(text: string): number {
  let sum = 0
  for (const line of text.split('\n')) {
    const match = /^goblin_cost_usd_total\{[^}]*\} ([0-9.e+-]+)$/.exec(line)
    if (match?.[1]) sum += Number(match[1])
  }
  return sum
}
