import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runGoblin } from '../../helpers/cli.js'
import { FakeModelServer } from '../../support/fake-model-server.js'
import { type GoblinCollector, recordLibraryRun, startGoblinCollector, versionOf } from './llm-harness.js'

// The same chat call twice through @opentelemetry/instrumentation-openai, once answered as `gpt-4o-mini` and
// once as the dated snapshot OpenAI really answers with (`gpt-4o-mini-2024-07-18`): a person's report shows one
// model, `--json` keeps the two names the spans carry.

interface ReportJson {
  rows: Array<{ key: { model: string }; modelName?: string; calls: number; usd: number }>
  total: { calls: number; usd: number }
}

describe(`cost report rows of one model named two ways (instrumentation-openai ${versionOf('@opentelemetry/instrumentation-openai')})`, {
  timeout: 180_000,
}, () => {
  let collector: GoblinCollector
  const servers: FakeModelServer[] = []

  beforeAll(async () => {
    collector = await startGoblinCollector()
    for (const servedModel of [undefined, (model: string) => `${model}-2024-07-18`]) {
      const model = await FakeModelServer.start(servedModel ? { servedModel } : {})
      servers.push(model)
      const run = await recordLibraryRun(collector, model, {
        script: 'otel-openai.mjs',
        testCase: 'chat',
        fixture: 'report-model-names',
      })
      expect(run.traceIds).toHaveLength(1)
    }
  }, 120_000)
  afterAll(async () => {
    await collector?.stop()
    for (const server of servers) await server.close()
  })

  it('--json keeps each name the spans used, with the name a person sees beside it', async () => {
    const report = await collector.json<ReportJson>(['cost', 'report', '--since', '1h'])
    const rows = report.rows.map((r) => [r.key.model, r.modelName, r.calls]).sort()
    expect(rows).toEqual([
      ['gpt-4o-mini', 'gpt-4o-mini', 1],
      ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini', 1],
    ])
    // Both priced at gpt-4o-mini's rates: the same tokens, the same USD.
    expect(report.rows[0]?.usd).toBeGreaterThan(0)
    expect(report.rows[0]?.usd).toBe(report.rows[1]?.usd)
  })

  it('the table and the CSV show one row for the model, with both calls and their summed USD', async () => {
    const env = { GOBLIN_HOME: collector.home }
    const report = await collector.json<ReportJson>(['cost', 'report', '--since', '1h'])
    const table = await runGoblin(['cost', 'report', '--since', '1h'], { env })
    expect(table.exitCode, table.stderr).toBe(0)
    const modelLines = table.stdout.split('\n').filter((line) => line.includes('gpt-4o-mini'))
    expect(modelLines).toHaveLength(1)
    expect(modelLines[0]).not.toContain('2024-07-18')
    expect(modelLines[0]).toMatch(/gpt-4o-mini\s+\$\S+\s+2\s/)

    const csv = await runGoblin(['cost', 'report', '--since', '1h', '--csv'], { env })
    expect(csv.exitCode, csv.stderr).toBe(0)
    const lines = csv.stdout.trim().split('\r\n')
    expect(lines).toHaveLength(2)
    const [model, usd, calls] = (lines[1] as string).split(',')
    expect([model, Number(usd), Number(calls)]).toEqual(['gpt-4o-mini', report.total.usd, 2])
  })
})
