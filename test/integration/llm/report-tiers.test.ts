import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LITELLM_SNAPSHOT_PATH } from '../../../src/cost/litellm-snapshot.js'
import { REPO_ROOT } from '../../helpers/cli.js'
import { type GoblinCollector, startGoblinCollector } from './llm-harness.js'

// A report sums many calls before pricing them: the tier a call pays depends on its own prompt, never on
// the group's summed tokens. Three calls of 150,000 prompt tokens (450,000 summed, each below the 200k
// threshold) and one of 250,000 (above it), as GenAI spans into a real collector: cost report, cost check's
// spend and the traces' own prices must all be LiteLLM's base rate for the three and the tier rate for the one.

const MODEL = 'claude-sonnet-4-5'
const raw = JSON.parse(readFileSync(`${REPO_ROOT}/${LITELLM_SNAPSHOT_PATH}`, 'utf8')) as Record<
  string,
  Record<string, number>
>
const rates = raw[MODEL] as Record<string, number>
const base = (input: number, output: number) =>
  input * (rates.input_cost_per_token as number) + output * (rates.output_cost_per_token as number)
const tier = (input: number, output: number) =>
  input * (rates.input_cost_per_token_above_200k_tokens as number) +
  output * (rates.output_cost_per_token_above_200k_tokens as number)

const CALLS = [
  { input: 150_000, output: 1_000 },
  { input: 150_000, output: 1_000 },
  { input: 150_000, output: 1_000 },
  { input: 250_000, output: 2_000 },
]
const EXPECTED = 3 * base(150_000, 1_000) + tier(250_000, 2_000)

interface Call {
  input: number
  output: number
  reasoning?: number
}

function chatSpan(traceId: string, call: Call, model = MODEL, provider = 'anthropic') {
  const now = BigInt(Date.now()) * 1_000_000n
  const attr = (key: string, value: string | number) => ({
    key,
    value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value },
  })
  return {
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', 'tier-test'), attr('goblin.id', 'tiers')] },
        scopeSpans: [
          {
            scope: { name: 'tier-test' },
            spans: [
              {
                traceId,
                spanId: randomBytes(8).toString('hex'),
                name: `chat ${model}`,
                kind: 3,
                startTimeUnixNano: String(now - 1_000_000_000n),
                endTimeUnixNano: String(now),
                attributes: [
                  attr('gen_ai.operation.name', 'chat'),
                  attr('gen_ai.provider.name', provider),
                  attr('gen_ai.request.model', model),
                  attr('gen_ai.usage.input_tokens', call.input),
                  attr('gen_ai.usage.output_tokens', call.output),
                  ...(call.reasoning === undefined
                    ? []
                    : [attr('gen_ai.usage.reasoning.output_tokens', call.reasoning)]),
                ],
              },
            ],
          },
        ],
      },
    ],
  }
}

/** Posts each call as a trace of its own; returns the trace ids. */
/** `cost report --json` over the last hour. */
function reportTotal(collector: GoblinCollector) {
  return collector.json<{ total: { usd: number; calls: number } }>(['cost', 'report', '--since', '1h'])
}

/** `trace show --json`'s LLM cost of one trace. */
async function shownCost(collector: GoblinCollector, traceId: string): Promise<number> {
  const shown = await collector.json<{ llm: { costUsd: number } }>([
    'trace',
    'show',
    traceId,
    '--endpoint',
    collector.url,
  ])
  return shown.llm.costUsd
}

async function send(collector: GoblinCollector, calls: Call[], model?: string, provider?: string) {
  const traces: string[] = []
  for (const call of calls) {
    const traceId = randomBytes(16).toString('hex')
    traces.push(traceId)
    const response = await fetch(`${collector.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(chatSpan(traceId, call, model, provider)),
    })
    expect(response.status).toBe(200)
  }
  return traces
}

describe('reports price each call at the tier its own prompt reaches', { timeout: 120_000 }, () => {
  let collector: GoblinCollector
  let traces: string[] = []

  beforeAll(async () => {
    collector = await startGoblinCollector()
    traces = await send(collector, CALLS)
  }, 60_000)
  afterAll(async () => {
    await collector?.stop()
  })

  it('cost report: three calls at the base rate and one at the tier rate, not 650,000 tokens at the tier', async () => {
    const report = await reportTotal(collector)
    expect(report.total.calls).toBe(4)
    expect(report.total.usd).toBeCloseTo(EXPECTED, 9)
    // What pricing the sums would have said.
    expect(tier(650_000, 5_000)).toBeGreaterThan(EXPECTED * 1.3)
  })

  it("trace show prices each trace the same way, and they sum to the report's total", async () => {
    let sum = 0
    for (const traceId of traces) {
      sum += await shownCost(collector, traceId)
    }
    expect(sum).toBeCloseTo(EXPECTED, 9)
  })
})

// A model whose reasoning has a price of its own (LiteLLM's dashscope/qwen-turbo: reasoning $0.50/M, other
// output $0.20/M): the report index holds no reasoning counts, so the report asks for them for such models.
describe('reports price reasoning at its own rate where the table gives one', { timeout: 120_000 }, () => {
  const qwen = raw['dashscope/qwen-turbo'] as Record<string, number>
  const calls: Call[] = [
    { input: 1_000, output: 3_000, reasoning: 2_500 },
    { input: 2_000, output: 1_000, reasoning: 0 },
  ]
  const usd = (c: Call) =>
    c.input * (qwen.input_cost_per_token as number) +
    (c.output - (c.reasoning ?? 0)) * (qwen.output_cost_per_token as number) +
    (c.reasoning ?? 0) * (qwen.output_cost_per_reasoning_token as number)
  let collector: GoblinCollector
  let traces: string[] = []

  beforeAll(async () => {
    collector = await startGoblinCollector()
    traces = await send(collector, calls, 'qwen-turbo', 'dashscope')
  }, 60_000)
  afterAll(async () => {
    await collector?.stop()
  })

  it('cost report and cost by model agree with each call priced alone', async () => {
    expect(qwen.output_cost_per_reasoning_token).not.toBe(qwen.output_cost_per_token)
    const report = await reportTotal(collector)
    expect(report.total.calls).toBe(2)
    expect(report.total.usd).toBeCloseTo(usd(calls[0] as Call) + usd(calls[1] as Call), 9)
  })

  it("trace list's cost column and trace show price each call the same way", async () => {
    const list = await collector.json<{ traces: Array<{ traceID: string; costUsd: number }> }>([
      'trace',
      'list',
      '--endpoint',
      collector.url,
    ])
    for (const [i, traceId] of traces.entries()) {
      const want = usd(calls[i] as Call)
      expect(list.traces.find((t) => t.traceID === traceId)?.costUsd).toBeCloseTo(want, 9)
      expect(await shownCost(collector, traceId)).toBeCloseTo(want, 9)
    }
  })
})
