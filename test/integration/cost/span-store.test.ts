import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { llmCallsIndex } from '../../../src/collector/llm-calls.js'
import type { SpanRecord } from '../../../src/collector/span-record.js'
import { openSpanStore } from '../../../src/collector/span-store.js'
import { homePaths } from '../../../src/core/paths.js'
import { checkBudgets } from '../../../src/cost/budget-check.js'
import { costGuard } from '../../../src/cost/cost-guard.js'
import { buildCostReport } from '../../../src/cost/cost-report.js'
import { loadPrices } from '../../../src/cost/price-sources.js'
import { tablePricer } from '../../../src/cost/table-pricer.js'
import type { HookRunner } from '../../../src/plugins/hook-runner.js'
import { tempDir } from '../../helpers/cli.js'

const NOW = new Date('2026-11-26T12:00:00Z')
const nano = (iso: string) => String(BigInt(Date.parse(iso)) * 1_000_000n)
let seq = 1

function call(
  at: string,
  attributes: SpanRecord['attributes'],
  parentSpanId: string | null = null,
): SpanRecord {
  const spanId = (seq++).toString(16).padStart(16, '0')
  return {
    traceId: 'b'.repeat(32),
    spanId,
    parentSpanId,
    name: 'chat',
    kind: 3,
    startTimeUnixNano: nano(at),
    endTimeUnixNano: nano(at),
    statusCode: 0,
    serviceName: 'svc',
    attributes,
    resource: {},
  }
}

const gpt = (input: number, output: number, extra: SpanRecord['attributes'] = {}) => ({
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.provider.name': 'openai',
  'gen_ai.usage.input_tokens': input,
  'gen_ai.usage.output_tokens': output,
  'goblin.id': 'researcher',
  ...extra,
})

describe('cost over the real SQLite span store', () => {
  let home: { path: string; cleanup: () => void }
  beforeEach(() => {
    home = tempDir()
  })
  afterEach(() => home.cleanup())

  async function ingest(spans: SpanRecord[], withIndex = true) {
    const store = await openSpanStore({
      dir: homePaths.spans(home.path),
      indexes: withIndex ? [llmCallsIndex({ price: tablePricer(home.path) })] : [],
    })
    store.ingest(spans)
    store.close()
  }

  it('prices each trace in search results like a report: llm.cost first, aggregate parents left out', async () => {
    const parent = call('2026-11-26T10:00:00Z', gpt(8_000, 2_000))
    const spans = [
      parent,
      // the parent's usage is the sum of these two children: $0.02 + $0.02, not $0.04 more
      call('2026-11-26T10:00:01Z', gpt(4_000, 1_000), parent.spanId),
      call('2026-11-26T10:00:02Z', gpt(4_000, 1_000), parent.spanId),
      call('2026-11-26T10:00:03Z', { ...gpt(100, 100), 'llm.cost': 0.5 }),
      call('2026-11-26T10:00:04Z', { 'gen_ai.request.model': 'in-house-7b', 'gen_ai.usage.input_tokens': 9 }),
    ]
    const store = await openSpanStore({
      dir: homePaths.spans(home.path),
      indexes: [llmCallsIndex({ price: tablePricer(home.path) })],
    })
    store.ingest(spans)
    const [trace] = store.search()
    store.close()
    expect(trace?.traceID).toBe('b'.repeat(32))
    expect(trace?.costUsd).toBeCloseTo(0.02 + 0.02 + 0.5, 9)
  })

  it('reports only the window asked for, and budgets count only their UTC period', async () => {
    await ingest([
      // $0.02 yesterday (UTC), $0.02 today (UTC), each 4,000 input + 1,000 output tokens of gpt-4o
      call('2026-11-25T23:59:59.999Z', gpt(4_000, 1_000)),
      call('2026-11-26T00:00:00.000Z', gpt(4_000, 1_000)),
    ])
    const today = await buildCostReport({ home: home.path, since: '2026-11-26', now: NOW })
    expect(today.total).toMatchObject({ calls: 1, usd: 0.02 })
    const twoDays = await buildCostReport({ home: home.path, since: '48h', by: ['day'], now: NOW })
    expect(twoDays.rows.map((r) => [r.key.day, r.usd])).toEqual([
      ['2026-11-25', 0.02],
      ['2026-11-26', 0.02],
    ])
    const guard = await costGuard({
      home: home.path,
      goblin: 'researcher',
      budgets: [{ goblin: 'researcher', period: 'day', usd: 0.03, warn_at: 0.8 }],
      estimatedUsd: 0.01,
      now: NOW,
    })
    expect(guard).toMatchObject({ allowed: true, envelopes: [{ spentUsd: 0.02, remainingUsd: 0.01 }] })
    const tooMuch = await costGuard({
      home: home.path,
      goblin: 'researcher',
      budgets: [{ goblin: 'researcher', period: 'week', usd: 0.03, warn_at: 0.8 }],
      now: NOW,
    })
    expect(tooMuch.allowed).toBe(false)
    expect(tooMuch.envelopes[0]?.status).toBe('exceeded')
  })

  it('builds the llm_calls index from spans stored before it existed', async () => {
    await ingest(
      [
        call('2026-11-26T10:00:00Z', gpt(4_000, 1_000)),
        call('2026-11-26T10:00:00Z', { 'http.method': 'GET' }),
      ],
      false,
    )
    const before = await buildCostReport({ home: home.path, now: NOW })
    expect(before.total.calls).toBe(0)
    expect(before.notes[0]).toContain('no llm_calls index yet')
    await ingest([])
    const after = await buildCostReport({ home: home.path, now: NOW })
    expect(after.total).toMatchObject({ calls: 1, usd: 0.02 })
  })

  it('rebuilds an llm_calls table of an earlier layout from the stored spans', async () => {
    await ingest([call('2026-11-26T10:00:00Z', gpt(4_000, 1_000))], false)
    const store = await openSpanStore({ dir: homePaths.spans(home.path) })
    store.db.exec('CREATE TABLE llm_calls (trace_id TEXT, span_id TEXT, model TEXT)')
    store.close()
    await ingest([])
    const report = await buildCostReport({ home: home.path, now: NOW })
    expect(report.total).toMatchObject({ calls: 1, usd: 0.02 })
  })

  it('gives a call the goblin, task and session of its nearest ancestors, whichever arrives first', async () => {
    // `trace exec --attr goblin.id=... --attr task.id=...` around a library that names neither on its spans.
    const inTrace = (traceId: string, span: SpanRecord): SpanRecord => ({ ...span, traceId })
    const exec = call('2026-11-26T10:00:00Z', { 'goblin.id': 'writer', 'task.id': 't-7' })
    const agent = call('2026-11-26T10:00:00Z', { 'session.id': 's-1' }, exec.spanId)
    const chat = call('2026-11-26T10:00:01Z', { ...gpt(4_000, 1_000), 'goblin.id': '' }, agent.spanId)
    const own = call('2026-11-26T10:00:02Z', { ...gpt(4_000, 1_000), 'task.id': 'own' }, agent.spanId)
    const byLabels = async () =>
      (await buildCostReport({ home: home.path, by: ['goblin', 'task', 'session'], now: NOW })).rows
        .map((r) => `${r.key.goblin}/${r.key.task}/${r.key.session}:${r.calls}`)
        .sort()
    // One trace whole in one batch; another whose ancestors arrive in a later batch (the store's walk).
    await ingest([exec, agent, chat, own].map((span) => inTrace('c'.repeat(32), span)))
    await ingest([chat, own].map((span) => inTrace('d'.repeat(32), span)))
    // 'researcher' is the gpt() spans' own goblin except where the span names an empty one (none).
    expect(await byLabels()).toEqual([
      '(none)/(none)/(none):1',
      'researcher/own/(none):1',
      'researcher/own/s-1:1',
      'writer/t-7/s-1:1',
    ])
    await ingest([exec, agent].map((span) => inTrace('d'.repeat(32), span)))
    expect(await byLabels()).toEqual(['researcher/own/s-1:2', 'writer/t-7/s-1:2'])
  })

  it('checks budgets with no span store as zero spend', async () => {
    const check = await checkBudgets({ home: home.path, cwd: home.path, now: NOW })
    expect(check.envelopes).toEqual([])
    expect(check.notes.join(' ')).toContain('no goblin.config.json')
  })
})

describe('plugin prices (goblin:cost-prices)', () => {
  // A stand-in for oclif's Config.runHook: running real plugins needs installed plugin packages.
  const standIn = (answers: Array<{ plugin: string; result?: unknown; error?: string }>): HookRunner => ({
    async runHook() {
      return {
        successes: answers
          .filter((a) => !a.error)
          .map((a) => ({ plugin: { name: a.plugin }, result: a.result })),
        failures: answers
          .filter((a) => a.error)
          .map((a) => ({ plugin: { name: a.plugin }, error: new Error(a.error) })),
      }
    },
  })

  it('override bundled prices; broken plugins become problems, not failures', async () => {
    const home = tempDir()
    try {
      const prices = await loadPrices({
        home: home.path,
        hooks: standIn([
          {
            plugin: 'acme-prices',
            result: {
              apiVersion: 1,
              source: 'acme contract',
              prices: [
                { model: 'gpt-4o', provider: 'openai', inputPerToken: 1e-6, outputPerToken: 4e-6 },
                { model: 'acme-llm', provider: 'acme', inputPerToken: 2e-7, outputPerToken: 2e-7 },
              ],
            },
          },
          { plugin: 'broken', result: { apiVersion: 9, prices: [] } },
          { plugin: 'crashy', error: 'boom' },
        ]),
      })
      expect(prices.book.resolve('gpt-4o')?.price).toMatchObject({
        inputPerToken: 1e-6,
        origin: 'plugin:acme-prices',
      })
      expect(prices.book.resolve('acme-llm')?.price.origin).toBe('plugin:acme-prices')
      expect(prices.book.resolve('gpt-4o-mini')?.price.origin).toBe('bundled')
      expect(prices.problems.map((p) => p.plugin).sort()).toEqual(['broken', 'crashy'])
      expect(prices.tables.map((t) => t.origin)).toEqual([
        'bundled',
        'bundled',
        'override',
        'plugin:acme-prices',
      ])
    } finally {
      home.cleanup()
    }
  })
})
