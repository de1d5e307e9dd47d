import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { roundUsd } from '../../../src/core/usd.js'
import { showTrace } from '../../../src/trace/trace-queries.js'
import { StoreTraceSource } from '../../../src/trace/trace-source.js'
import { REPO_ROOT } from '../../helpers/cli.js'
import { type GoblinCollector, startGoblinCollector } from './llm-harness.js'

// Claude Code reports each call twice: as a span (tokens, no cost) and as an `api_request` log event with
// the cache writes split by TTL and its own cost_usd. The collector's cost index merges the two; trace show
// must price the trace from that merged call, as trace list and cost report do, not from the span alone.

const FIXTURE = join(REPO_ROOT, 'test/fixtures/agents/claude-code-2.1.332-tool-accept')
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c'
/** Claude Code's own cost_usd on each of the recording's two `api_request` events. */
const OWN_COST = roundUsd(2 * 0.0008925)

async function post(collector: GoblinCollector, signal: 'traces' | 'logs') {
  const response = await fetch(`${collector.url}/v1/${signal}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: readFileSync(`${FIXTURE}-${signal}.json`),
  })
  expect(response.status).toBe(200)
}

describe('a Claude Code trace costs the same in trace list, trace show and cost report', {
  timeout: 120_000,
}, () => {
  let collector: GoblinCollector
  let home: string

  beforeAll(async () => {
    collector = await startGoblinCollector()
    home = collector.home
    await post(collector, 'traces')
    await post(collector, 'logs')
  }, 60_000)
  afterAll(async () => {
    await collector?.stop()
  })

  it('through the collector: Claude Code’s own cost_usd in all three', async () => {
    const endpoint = ['--endpoint', collector.url]
    const list = await collector.json<{
      traces: Array<{ traceID: string; costUsd: number; llmCalls: number }>
    }>(['trace', 'list', ...endpoint])
    const listed = list.traces.find((t) => t.traceID === TRACE_ID)
    expect(listed).toMatchObject({ costUsd: OWN_COST, llmCalls: 2 })
    const shown = await collector.json<{ llm: { costUsd: number; calls: unknown[] } }>([
      'trace',
      'show',
      TRACE_ID,
      ...endpoint,
    ])
    expect(shown.llm.costUsd).toBe(OWN_COST)
    const report = await collector.json<{ total: { usd: number; calls: number } }>([
      'cost',
      'report',
      '--since',
      '30d',
    ])
    expect(report.total).toMatchObject({ usd: OWN_COST, calls: 2 })
  })

  it('the calls route answers the index’s calls and refuses what is not a trace id', async () => {
    const answer = await fetch(`${collector.url}/api/goblin/traces/${TRACE_ID}/calls`)
    const { calls } = (await answer.json()) as {
      calls: Array<{ onSpan: boolean; ownCostUsd: number | null }>
    }
    expect(calls.map((c) => [c.onSpan, c.ownCostUsd])).toEqual([
      [true, 0.0008925000000000001],
      [true, 0.0008925000000000001],
    ])
    const bad = await fetch(`${collector.url}/api/goblin/traces/not-a-trace/calls`)
    expect(bad.status).toBe(400)
  })

  it('read from the store file, as when the collector is down: the same total', async () => {
    const store = await StoreTraceSource.open(home, 'store file')
    expect(store).not.toBeNull()
    try {
      const shown = await showTrace(store as StoreTraceSource, TRACE_ID, home)
      expect(shown.waterfall.costUsd).toBe(OWN_COST)
    } finally {
      store?.close()
    }
  })
})
