import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it } from 'vitest'
import { type CallPricer, llmCallsIndex } from '../../../src/collector/llm-calls.js'
import { decodeLogsJson, decodeTracesJson } from '../../../src/collector/otlp-decode.js'
import { SpanStore } from '../../../src/collector/span-store.js'
import { queryUsageGroups } from '../../../src/collector/usage-groups.js'
import { roundUsd } from '../../../src/core/usd.js'
import { priceCall } from '../../../src/cost/price-call.js'
import { loadPrices } from '../../../src/cost/price-sources.js'
import type { PricedCall } from '../../../src/llm/llm-call.js'
import { buildWaterfall } from '../../../src/trace/waterfall.js'

/**
 * The coding agents' recorded telemetry (test/fixtures/agents, each captured from the real CLI) through the
 * store's LLM-call index: each agent reports every call twice, as a span and as a log event, and goblin
 * must count it once, with the richer counts of the two and the agent's own cost.
 */
const FIXTURES = join(import.meta.dirname, '../../fixtures/agents')
const ALL_TIME = { sinceNs: 0n, untilNs: 2n ** 62n }

function telemetry(name: string) {
  return {
    spans: decodeTracesJson(readFileSync(join(FIXTURES, `${name}-traces.json`), 'utf8')).spans,
    logs: decodeLogsJson(readFileSync(join(FIXTURES, `${name}-logs.json`), 'utf8')).logs,
  }
}

type Order = 'one batch' | 'spans first' | 'logs first'

function ingest(name: string, order: Order, price: CallPricer = () => null) {
  const { store } = ingestInto(name, order, price)
  return queryUsageGroups(store.db, ['session'], ALL_TIME)
}

function ingestInto(name: string, order: Order, price: CallPricer) {
  const db = new DatabaseSync(':memory:')
  const store = new SpanStore(db, ':memory:', false, [llmCallsIndex({ price })])
  const { spans, logs } = telemetry(name)
  if (order === 'one batch') store.ingest(spans, logs)
  else if (order === 'spans first') {
    store.ingest(spans)
    store.ingest([], logs)
  } else {
    store.ingest([], logs)
    store.ingest(spans)
  }
  return { store, spans }
}

const ORDERS: Order[] = ['one batch', 'spans first', 'logs first']

describe.each(ORDERS)('coding-agent calls seen as spans and as log events (%s)', (order) => {
  it('Claude Code 2.1.332: two calls, cache writes split by TTL from the event, its own cost_usd', () => {
    const [group, ...rest] = ingest('claude-code-2.1.332-tool-accept', order)
    expect(rest).toEqual([])
    expect(group).toMatchObject({
      model: 'claude-sonnet-4-5',
      keys: { session: 'ff21bf51-7bdb-4f65-be29-9287e08842c2' },
      calls: 2,
      tokens: { input: 700, output: 40, cacheRead: 400, cacheCreation: 100 },
      spanCostCalls: 2,
    })
    expect(group?.spanCost).toBeCloseTo(2 * 0.0008925, 12)
  })

  it('Gemini CLI 0.61.0: two calls with the event’s cached and thoughts tokens', () => {
    const [group, ...rest] = ingest('gemini-cli-0.61.0-tool-accept', order)
    expect(rest).toEqual([])
    expect(group).toMatchObject({
      model: 'gemini-2.5-pro',
      calls: 2,
      tokens: { input: 1_000, output: 90, cacheRead: 400 },
    })
  })

  it('Codex 0.171.0: two calls, the model inherited from the turn, the session from the event', () => {
    const [group, ...rest] = ingest('codex-0.171.0-tool-accept', order)
    expect(rest).toEqual([])
    expect(group).toMatchObject({
      model: 'gpt-5',
      keys: { session: '01a2385e-3713-78a3-9949-8143442ea56f' },
      calls: 2,
      tokens: { input: 600, output: 80, cacheRead: 200 },
    })
  })
})

const AGENTS = [
  'claude-code-2.1.332-tool-accept',
  'gemini-cli-0.61.0-tool-accept',
  'codex-0.171.0-tool-accept',
]

describe.each(ORDERS)('trace show of a coding agent’s traces (%s)', (order) => {
  it.each(AGENTS)('%s: each waterfall prices the calls trace list and cost report count', async (name) => {
    const { book } = await loadPrices()
    const price = (call: PricedCall) => priceCall(call, book).usd
    const { store, spans } = ingestInto(name, order, price)
    let calls = 0
    let usd = 0
    for (const listed of store.search()) {
      const waterfall = buildWaterfall(store.getTrace(listed.traceID), {
        maxChildren: Number.POSITIVE_INFINITY,
        price,
        calls: store.traceCalls(listed.traceID),
      })
      const counted = waterfall.llmCalls.filter((call) => !call.aggregate)
      expect(counted).toHaveLength(listed.llmCalls)
      expect(waterfall.costUsd).toBe(listed.costUsd)
      // Every counted call sits on a span row: the agents' log events matched their spans.
      const rowCalls = waterfall.rows.flatMap((row) => (row.type === 'span' && row.llm ? [row.llm] : []))
      expect(rowCalls.filter((llm) => !llm.aggregate)).toHaveLength(counted.length)
      expect(waterfall.logOnlyCalls).toBe(0)
      calls += counted.length
      usd = roundUsd(usd + waterfall.costUsd)
    }
    const [group] = queryUsageGroups(store.db, [], ALL_TIME)
    expect(calls).toBe(group?.calls)
    expect(usd).toBeGreaterThan(0)
    if (name.startsWith('claude-code')) {
      // Claude Code's own cost_usd, from its log events: the spans alone are priced from the table.
      expect(usd).toBe(roundUsd(2 * 0.0008925))
      expect(buildWaterfall(spans, { price }).costUsd).not.toBe(usd)
    }
  })
})
