import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../../helpers/cli.js'
import { FakeModelServer } from '../../support/fake-model-server.js'
import {
  FIXTURES,
  type GoblinCollector,
  type OtlpSpan,
  type OtlpTraces,
  recordLibraryRun,
  spansOf,
  startGoblinCollector,
  versionOf,
} from './llm-harness.js'

// What the AI SDK really sent for a tool loop (invoke_agent > step 1 > chat, execute_tool; step 2 > chat),
// replayed span by span, one OTLP request each, in many orders and across a collector restart: goblin must
// count the two chat calls and never the agent span, whichever span arrives first.

interface Shown {
  llm: { costUsd: number; calls: Array<{ spanId: string; aggregate: boolean; costUsd: number | null }> }
}

/** One span with its resource and scope, as a request of its own, its trace id replaced. */
function requestOf(exports: OtlpTraces[], span: OtlpSpan, traceId: string): OtlpTraces {
  for (const e of exports) {
    for (const r of e.resourceSpans) {
      for (const s of r.scopeSpans) {
        if (s.spans.includes(span)) {
          return { resourceSpans: [{ ...r, scopeSpans: [{ ...s, spans: [{ ...span, traceId }] }] }] }
        }
      }
    }
  }
  throw new Error(`span ${span.spanId} is in no export`)
}

/** A deterministic shuffle (mulberry32), so a failing order can be replayed. */
function shuffled<T>(items: T[], seed: number): T[] {
  let state = seed
  const random = () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}

async function post(collector: GoblinCollector, body: OtlpTraces): Promise<void> {
  const response = await fetch(`${collector.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  expect(response.status).toBe(200)
}

describe(`AI SDK ${versionOf('ai')} tool-loop spans in every order`, { timeout: 180_000 }, () => {
  const home = tempDir('goblin-llm-order-')
  let collector: GoblinCollector
  let exports: OtlpTraces[] = []
  let spans: OtlpSpan[] = []
  let baseline: Shown['llm']
  let baselineTrace = ''

  beforeAll(async () => {
    collector = await startGoblinCollector(home.path)
    const model = await FakeModelServer.start()
    model.script(
      'openai-chat',
      { toolCall: { name: 'bash', arguments: { command: 'echo hi' } } },
      { text: 'It printed hi.' },
    )
    try {
      const run = await recordLibraryRun(collector, model, {
        script: 'ai-sdk.mjs',
        testCase: 'tool-loop',
        env: { AI_SDK_TELEMETRY: 'otel' },
        fixture: `ai-${versionOf('ai')}-otel-tool-loop`,
      })
      exports = run.exports
      spans = spansOf(exports)
      baselineTrace = run.traceIds[0] as string
      baseline = (await collector.json<Shown>(['trace', 'show', baselineTrace, '--endpoint', collector.url]))
        .llm
    } finally {
      await model.close()
    }
  }, 120_000)
  afterAll(async () => {
    await collector?.stop()
    home.cleanup()
  })

  it('the recorded run is two counted chat calls under one agent aggregate', () => {
    expect(spans.map((s) => s.name).sort()).toEqual([
      'chat gpt-4o-mini',
      'chat gpt-4o-mini',
      'execute_tool bash',
      'invoke_agent gpt-4o-mini',
      'step 1',
      'step 2',
    ])
    expect(baseline.calls.filter((c) => !c.aggregate)).toHaveLength(2)
    expect(baseline.calls.filter((c) => c.aggregate)).toHaveLength(1)
    expect(baseline.costUsd).toBeGreaterThan(0)
  })

  // Parents before children, children before parents (the BatchSpanProcessor's usual order), the agent
  // span first, the agent span last, and seeded shuffles.
  const orders: Array<[string, (all: OtlpSpan[]) => OtlpSpan[]]> = [
    ['as recorded', (all) => all],
    ['reversed', (all) => [...all].reverse()],
    [
      'agent span first',
      (all) => [...all.filter((s) => !s.parentSpanId), ...all.filter((s) => s.parentSpanId)],
    ],
    [
      'agent span last',
      (all) => [...all.filter((s) => s.parentSpanId), ...all.filter((s) => !s.parentSpanId)],
    ],
    ...[1, 2, 3, 4, 5, 6].map((seed): [string, (all: OtlpSpan[]) => OtlpSpan[]] => [
      `shuffle ${seed}`,
      (all) => shuffled(all, seed),
    ]),
  ]
  const replayed: string[] = []

  for (const [name, order] of orders) {
    it(`one span per request, ${name}: the same calls and cost`, async () => {
      const traceId = randomBytes(16).toString('hex')
      replayed.push(traceId)
      for (const span of order(spans)) await post(collector, requestOf(exports, span, traceId))
      const shown = (await collector.json<Shown>(['trace', 'show', traceId, '--endpoint', collector.url])).llm
      expect(shown.calls.map(({ spanId, aggregate }) => ({ spanId, aggregate })).sort(bySpan)).toEqual(
        baseline.calls.map(({ spanId, aggregate }) => ({ spanId, aggregate })).sort(bySpan),
      )
      expect(shown.costUsd).toBe(baseline.costUsd)
    })
  }

  it('half before a collector restart, half after: the aggregate found across both', async () => {
    const traceId = randomBytes(16).toString('hex')
    replayed.push(traceId)
    // The chat calls first, then (after the restart) the steps and the agent span above them.
    const [calls, rest] = [
      spans.filter((s) => s.name.startsWith('chat')),
      spans.filter((s) => !s.name.startsWith('chat')),
    ]
    for (const span of calls) await post(collector, requestOf(exports, span, traceId))
    await collector.stop()
    collector = await startGoblinCollector(home.path)
    for (const span of rest) await post(collector, requestOf(exports, span, traceId))
    const shown = (await collector.json<Shown>(['trace', 'show', traceId, '--endpoint', collector.url])).llm
    expect(shown.calls.filter((c) => c.aggregate)).toHaveLength(1)
    expect(shown.costUsd).toBe(baseline.costUsd)
  })

  it('cost report counts each replayed trace once: calls and USD are the baseline times the traces', async () => {
    const traces = replayed.length + 1
    const report = await collector.json<{ total: { calls: number; usd: number } }>([
      'cost',
      'report',
      '--since',
      '1h',
    ])
    expect(report.total.calls).toBe(2 * traces)
    expect(report.total.usd).toBeCloseTo(baseline.costUsd * traces, 9)
    const list = await collector.json<{ traces: Array<{ traceID: string; costUsd: number }> }>([
      'trace',
      'list',
      '--endpoint',
      collector.url,
      '--limit',
      '100',
    ])
    for (const traceId of [baselineTrace, ...replayed]) {
      expect(list.traces.find((t) => t.traceID === traceId)?.costUsd).toBe(baseline.costUsd)
    }
  })
})

function bySpan(a: { spanId: string }, b: { spanId: string }): number {
  return a.spanId.localeCompare(b.spanId)
}

// Every library's recorded run (test/fixtures/llm: the AI SDK with both integrations and its mock model,
// instrumentation-openai, OpenInference, Traceloop, LangChain + langsmith), replayed into one collector three
// ways: as the library sent it, one span per request in reverse, and one span per request shuffled. Each
// replay must be the same trace to goblin: calls, unpriced calls and USD, and the report must count each once.
describe('every recorded library run, span by span in other orders', { timeout: 180_000 }, () => {
  const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))
  let collector: GoblinCollector
  const replays: Array<{ fixture: string; order: string; traceId: string }> = []

  beforeAll(async () => {
    collector = await startGoblinCollector()
    for (const [n, fixture] of fixtures.entries()) {
      const recorded = recent(JSON.parse(readFileSync(join(FIXTURES, fixture), 'utf8')) as OtlpTraces)
      const spans = spansOf([recorded])
      for (const traceId of new Set(spans.map((span) => span.traceId))) {
        const trace = spans.filter((span) => span.traceId === traceId)
        const orders: Array<[string, OtlpSpan[] | null]> = [
          ['as sent', null],
          ['reversed', [...trace].reverse()],
          ['shuffled', shuffled(trace, n + 1)],
        ]
        for (const [order, sequence] of orders) {
          const id = randomBytes(16).toString('hex')
          replays.push({ fixture, order, traceId: id })
          if (sequence === null) await post(collector, withTrace(recorded, traceId, id))
          else for (const span of sequence) await post(collector, requestOf([recorded], span, id))
        }
      }
    }
  }, 150_000)
  afterAll(async () => {
    await collector?.stop()
  })

  it('covers every library the suites run', () => {
    const libraries = new Set(fixtures.map((f) => f.split('-').slice(0, 2).join('-')))
    expect([...libraries].sort()).toEqual([
      'ai-7.0.173',
      'langchain-openai',
      'openinference-instrumentation',
      'opentelemetry-instrumentation',
      'traceloop-node',
    ])
    expect(fixtures.filter((f) => f.includes('-legacy-')).length).toBeGreaterThan(0)
    expect(fixtures.filter((f) => f.includes('-mock')).length).toBe(2)
  })

  it('each replay shows the calls, unpriced calls and USD of the run as sent', async () => {
    const list = await collector.json<{
      traces: Array<{ traceID: string; costUsd: number | null; llmCalls: number; unpricedCalls: number }>
    }>(['trace', 'list', '--endpoint', collector.url, '--limit', '1000'])
    const shown = new Map(list.traces.map((t) => [t.traceID, t]))
    const answer = (traceId: string) => {
      const t = shown.get(traceId)
      return t && { costUsd: t.costUsd, llmCalls: t.llmCalls, unpricedCalls: t.unpricedCalls }
    }
    let calls = 0
    for (const { fixture, order, traceId } of replays) {
      const sent = replays.find((r) => r.fixture === fixture && r.order === 'as sent') as { traceId: string }
      expect(answer(traceId), `${fixture}, ${order}`).toEqual(answer(sent.traceId))
      if (order === 'as sent') calls += answer(traceId)?.llmCalls ?? 0
    }
    expect(calls).toBeGreaterThan(fixtures.length)
  })

  it('cost report counts every replay once', async () => {
    const report = await collector.json<{ total: { calls: number } }>(['cost', 'report', '--since', '1h'])
    const list = await collector.json<{ traces: Array<{ traceID: string; llmCalls: number }> }>([
      'trace',
      'list',
      '--endpoint',
      collector.url,
      '--limit',
      '1000',
    ])
    const ids = new Set(replays.map((r) => r.traceId))
    const listed = list.traces.filter((t) => ids.has(t.traceID)).reduce((sum, t) => sum + t.llmCalls, 0)
    expect(report.total.calls).toBe(listed)
  })
})

/** The export with one trace's id replaced (the other traces' spans left out). */
function withTrace(recorded: OtlpTraces, from: string, to: string): OtlpTraces {
  return {
    resourceSpans: recorded.resourceSpans.map((r) => ({
      ...r,
      scopeSpans: r.scopeSpans.map((s) => ({
        ...s,
        spans: s.spans.filter((span) => span.traceId === from).map((span) => ({ ...span, traceId: to })),
      })),
    })),
  }
}

/** The recording with its span times moved so that its last span ended a minute ago (retention keeps a week). */
function recent(recorded: OtlpTraces): OtlpTraces {
  const spans = spansOf([recorded])
  const ends = spans.map((span) => BigInt(String(span.endTimeUnixNano)))
  // biome-ignore lint/complexity/useMathMinMax: bigint, which Math.max does not take
  const last = ends.reduce((a, b) => (a > b ? a : b))
  const shift = BigInt(Date.now() - 60_000) * 1_000_000n - last
  const moved = (ns: unknown) => String(BigInt(String(ns)) + shift)
  return {
    resourceSpans: recorded.resourceSpans.map((r) => ({
      ...r,
      scopeSpans: r.scopeSpans.map((s) => ({
        ...s,
        spans: s.spans.map((span) => ({
          ...span,
          startTimeUnixNano: moved(span.startTimeUnixNano),
          endTimeUnixNano: moved(span.endTimeUnixNano),
        })),
      })),
    })),
  }
}
