import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseJson, REPO_ROOT, runGoblin, tempDir } from '../../helpers/cli.js'
import { type GoblinCollector, startGoblinCollector } from '../llm/llm-harness.js'

// Claude Code 2.1.332's own OTLP payloads (test/fixtures/agents): two runs, each two API calls of the fake
// server's usage, $0.0008925 each by Claude Code's cost_usd, $0.001785 a run on claude_code.cost.usage.
// Run "accept" arrives as metrics and log events, run "reject" as metrics only. The report must show both
// runs' spend once each: the accept session's from its log events, the reject session's from its metrics,
// marked as such.

const ACCEPT_SESSION = 'ff21bf51-7bdb-4f65-be29-9287e08842c2'
const REJECT_SESSION = '275a6c72-f88a-4d3e-9e92-3b190a396580'
const RUN_USD = 0.001785

/**
 * When the recorded payloads are moved to: a minute ago (retention keeps a week), but never before this UTC
 * month began, so that the month's budget below sees them whatever the time of the run.
 */
const monthStart = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1)
const AT = Math.max(Date.now() - 60_000, (Date.now() + monthStart) / 2)

/** A recorded payload with every time moved so that its latest lies at AT. */
function recorded(name: string): string {
  const text = readFileSync(join(REPO_ROOT, 'test/fixtures/agents', name), 'utf8')
  const times = [...text.matchAll(/"(?:startTime|time|observedTime)UnixNano": *"(\d+)"/g)].map((m) =>
    BigInt(m[1] as string),
  )
  // biome-ignore lint/complexity/useMathMinMax: bigint, which Math.max does not take
  const latest = times.reduce((a, b) => (a > b ? a : b))
  const shift = BigInt(Math.floor(AT)) * 1_000_000n - latest
  return text.replace(
    /"((?:startTime|time|observedTime)UnixNano)": *"(\d+)"/g,
    (_, field: string, ns: string) => `"${field}": "${BigInt(ns) + shift}"`,
  )
}

async function post(collector: GoblinCollector, path: string, body: string): Promise<void> {
  const response = await fetch(`${collector.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  })
  expect(response.status).toBe(200)
}

interface Row {
  key: Record<string, string>
  usd: number
  calls: number
  inputTokens: number
  outputTokens: number
  metricsUsd?: number
}
interface Report {
  rows: Row[]
  total: Row
}

describe('Claude Code spend that arrives only as metrics (claude_code.cost.usage)', {
  timeout: 120_000,
}, () => {
  let collector: GoblinCollector

  beforeAll(async () => {
    collector = await startGoblinCollector()
    await post(collector, '/v1/metrics', recorded('claude-code-2.1.332-tool-reject-metrics.json'))
  }, 60_000)
  afterAll(async () => {
    await collector?.stop()
  })

  const report = (...by: string[]) =>
    collector.json<Report>(['cost', 'report', '--since', '1h', ...(by.length ? ['--by', by.join(',')] : [])])

  it('is reported, marked as from metrics, with its tokens and no calls', async () => {
    const byModel = await report()
    expect(byModel.total).toMatchObject({ calls: 0, metricsUsd: RUN_USD })
    expect(byModel.total.usd).toBeCloseTo(RUN_USD, 9)
    // The token counter: input 200 + cache reads 400 + cache writes 100 (goblin counts the cache in input).
    expect(byModel.rows).toEqual([
      expect.objectContaining({
        key: { model: 'claude-sonnet-4-5' },
        inputTokens: 700,
        outputTokens: 40,
        metricsUsd: RUN_USD,
      }),
    ])
    const bySession = await report('session', 'goblin', 'provider')
    expect(bySession.rows.map((r) => r.key)).toEqual([
      { session: REJECT_SESSION, goblin: 'fixture-goblin', provider: 'anthropic' },
    ])
  })

  it('a session that also sent its log events is counted from them alone, never twice', async () => {
    await post(collector, '/v1/metrics', recorded('claude-code-2.1.332-tool-accept-metrics.json'))
    await post(collector, '/v1/logs', recorded('claude-code-2.1.332-tool-accept-logs.json'))
    const bySession = await report('session')
    const rows = Object.fromEntries(bySession.rows.map((r) => [r.key.session, r]))
    // The accept run: two api_request events, their cost_usd; its metric left out.
    expect(rows[ACCEPT_SESSION]).toMatchObject({ calls: 2 })
    expect(rows[ACCEPT_SESSION]?.metricsUsd).toBeUndefined()
    expect(rows[ACCEPT_SESSION]?.usd).toBeCloseTo(RUN_USD, 9)
    expect(rows[REJECT_SESSION]).toMatchObject({ calls: 0, metricsUsd: RUN_USD })
    expect(bySession.total.usd).toBeCloseTo(2 * RUN_USD, 9)
    expect(bySession.total.metricsUsd).toBeCloseTo(RUN_USD, 9)
  })

  it('the table marks the spend from metrics and says what it is', async () => {
    const table = await runGoblin(['cost', 'report', '--since', '1h', '--by', 'session'], {
      env: { GOBLIN_HOME: collector.home },
    })
    expect(table.exitCode, table.stderr).toBe(0)
    const reject = table.stdout.split('\n').find((line) => line.includes(REJECT_SESSION))
    expect(reject).toMatch(/\$0\.001785\*/)
    const accept = table.stdout.split('\n').find((line) => line.includes(ACCEPT_SESSION))
    expect(accept).not.toContain('*')
    expect(table.stdout).toContain(
      "* from metrics: $0.001785 of the total is Claude Code's claude_code.cost.usage",
    )
  })

  it('--by day puts the metric spend on its UTC day', async () => {
    const byDay = await report('day')
    const day = new Date(AT).toISOString().slice(0, 10)
    expect(byDay.rows.map((r) => r.key.day)).toEqual([day])
    expect(byDay.total.usd).toBeCloseTo(2 * RUN_USD, 9)
  })

  it('cost check counts it against a budget: both runs, calls and metrics alike', async () => {
    const project = tempDir('goblin-metrics-budget-')
    try {
      const budgets = [
        { goblin: 'fixture-goblin', period: 'month', usd: 0.003 },
        { goblin: 'fixture-goblin', period: 'month', usd: 0.004 },
      ]
      writeFileSync(join(project.path, 'goblin.config.json'), JSON.stringify({ cost: { budgets } }))
      const check = await runGoblin(['cost', 'check', '--json'], {
        env: { GOBLIN_HOME: collector.home },
        cwd: project.path,
      })
      expect(check.exitCode, check.stdout + check.stderr).toBe(1)
      const result = parseJson<{ envelopes: Array<{ status: string; spentUsd: number }> }>(check)
      // $0.00357: one run from its log events, one from its metrics; over $0.003, under $0.004.
      expect(result.envelopes.map((e) => e.status)).toEqual(['exceeded', 'warn'])
      expect(result.envelopes[0]?.spentUsd).toBeCloseTo(2 * RUN_USD, 9)
    } finally {
      project.cleanup()
    }
  })
})
