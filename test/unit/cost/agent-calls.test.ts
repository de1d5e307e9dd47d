import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it } from 'vitest'
import { llmCallsIndex } from '../../../src/collector/llm-calls.js'
import { decodeLogsJson, decodeTracesJson } from '../../../src/collector/otlp-decode.js'
import { SpanStore } from '../../../src/collector/span-store.js'
import { queryUsageGroups } from '../../../src/collector/usage-groups.js'

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

function ingest(name: string, order: Order) {
  const db = new DatabaseSync(':memory:')
  const store = new SpanStore(db, ':memory:', false, [llmCallsIndex({ price: () => null })])
  const { spans, logs } = telemetry(name)
  if (order === 'one batch') store.ingest(spans, logs)
  else if (order === 'spans first') {
    store.ingest(spans)
    store.ingest([], logs)
  } else {
    store.ingest([], logs)
    store.ingest(spans)
  }
  return queryUsageGroups(db, ['session'], ALL_TIME)
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
