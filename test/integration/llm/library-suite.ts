import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultUsage, FakeModelServer, type FakeUsage } from '../../support/fake-model-server.js'
import {
  type GoblinCollector,
  type KnownTokens,
  type LibraryRun,
  priceOf,
  recordLibraryRun,
  startGoblinCollector,
  usdOf,
} from './llm-harness.js'

/**
 * One library's runs against goblin: every case runs the real library (a sender process) against the fake
 * model server, exporting to one real `goblin collector serve`; then each case's trace is read back through
 * the CLI (`trace show --json`, `trace list --json`) and the whole run through `cost report --json`, and
 * compared with the fake server's usage x the bundled price.
 */
export interface LibraryCase {
  /** The sender's case. */
  name: string
  /** What the case shows, for the test's title (say what the telemetry leaves out). */
  title: string
  /** The model goblin should price the calls by. */
  model: string
  /** What goblin can know of each call it should count: its tokens, or `unmetered` when the spans carry none. */
  calls: Array<KnownTokens | 'unmetered'>
  /** True when no price table knows the model: counted and flagged, never $0. */
  unknownModel?: boolean
  /** Scripts the fake server before the run (a tool call, for instance). */
  script?: (model: FakeModelServer) => void
}

export interface LibrarySuite {
  /** The fixture name's library part, with its version (`ai-7.0.173-otel`). */
  fixturePrefix: string
  sender: string
  env?: (model: FakeModelServer) => Record<string, string>
  /** The cases, from the usage the fake server answers with. */
  cases: (usage: FakeUsage) => LibraryCase[]
  /** Further checks after every case ran, with the fake server's record of what the library sent it. */
  checks?: Array<{ title: string; check: (model: FakeModelServer) => void }>
}

interface ShownCall {
  spanId: string
  model: string | null
  tokens: KnownTokens
  metered: boolean
  aggregate: boolean
  costUsd: number | null
}

interface CostReportJson {
  total: { usd: number; calls: number; unmeteredCalls: number; unknownModelCalls: number }
}

export function describeLibrary(title: string, suite: LibrarySuite): void {
  const usage = defaultUsage()
  const cases = suite.cases(usage)
  // Each case starts a Node process for the library; the collector and the CLI runs are real processes too.
  describe(title, { timeout: 120_000 }, () => {
    let collector: GoblinCollector
    let model: FakeModelServer
    const runs = new Map<string, LibraryRun>()

    beforeAll(async () => {
      collector = await startGoblinCollector()
      model = await FakeModelServer.start({ usage })
      for (const c of cases) {
        c.script?.(model)
        const run = await recordLibraryRun(collector, model, {
          script: suite.sender,
          testCase: c.name,
          env: suite.env?.(model),
          fixture: `${suite.fixturePrefix}-${c.name}`,
        })
        runs.set(c.name, run)
      }
    }, 300_000)
    afterAll(async () => {
      await collector?.stop()
      await model?.close()
    })

    /** What goblin should report for a case: the priced USD and how many calls it cannot price. */
    async function expected(c: LibraryCase): Promise<{ usd: number; unpriced: number }> {
      const metered = c.calls.filter((call) => call !== 'unmetered')
      if (c.unknownModel) return { usd: 0, unpriced: c.calls.length }
      const price = await priceOf(collector, c.model)
      const usd = metered.reduce((sum, call) => sum + usdOf(price, call), 0)
      return { usd, unpriced: c.calls.length - metered.length }
    }

    for (const c of cases) {
      it(`${c.name}: ${c.title}`, async () => {
        const run = runs.get(c.name) as LibraryRun
        expect(run.traceIds).toHaveLength(1)
        const traceId = run.traceIds[0] as string
        const want = await expected(c)

        const shown = await collector.json<{ llm: { costUsd: number; calls: ShownCall[] } }>([
          'trace',
          'show',
          traceId,
          '--endpoint',
          collector.url,
        ])
        const counted = shown.llm.calls.filter((call) => !call.aggregate)
        expect(counted.map((call) => (call.metered ? pickTokens(call.tokens) : 'unmetered'))).toEqual(c.calls)
        for (const call of counted) {
          expect(call.model).toBe(c.model)
          if (!call.metered || c.unknownModel) expect(call.costUsd).toBeNull()
        }
        expect(shown.llm.costUsd).toBeCloseTo(want.usd, 9)

        const list = await collector.json<{
          traces: Array<{ traceID: string; costUsd: number | null; llmCalls: number; unpricedCalls: number }>
        }>(['trace', 'list', '--endpoint', collector.url, '--limit', '1000'])
        const row = list.traces.find((t) => t.traceID === traceId)
        expect(row).toMatchObject({ llmCalls: c.calls.length, unpricedCalls: want.unpriced })
        expect(row?.costUsd ?? 0).toBeCloseTo(want.usd, 9)
      })
    }

    for (const { title, check } of suite.checks ?? []) it(title, () => check(model))

    it('cost report counts every call once, flags the unmetered and unknown ones, and sums to the traces', async () => {
      const report = await collector.json<CostReportJson>(['cost', 'report', '--since', '1h'])
      let usd = 0
      for (const c of cases) usd += (await expected(c)).usd
      const calls = (c: LibraryCase) => c.calls.length
      const sum = (f: (c: LibraryCase) => number) => cases.reduce((total, c) => total + f(c), 0)
      expect(report.total).toMatchObject({
        calls: sum(calls),
        unmeteredCalls: sum((c) => c.calls.filter((call) => call === 'unmetered').length),
        unknownModelCalls: sum((c) => (c.unknownModel ? calls(c) : 0)),
      })
      expect(report.total.usd).toBeCloseTo(usd, 9)
    })
  })
}

function pickTokens(tokens: KnownTokens): KnownTokens {
  const { input, cacheRead, cacheWrite5m, cacheWrite1h, output, reasoning } = tokens
  return { input, cacheRead, cacheWrite5m, cacheWrite1h, output, reasoning }
}
