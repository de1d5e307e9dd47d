import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../helpers/cli.js'
import { startTestCollector, type TestCollector } from '../collector/collector-fixture.js'

const SERVICE = join(REPO_ROOT, 'test/integration/telemetry/traced-service.mjs')
const PARENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const PARENT_SPAN = '00f067aa0ba902b7'

/**
 * initTracing in a real process (imported through the package export, so `npm run build` must have run),
 * exporting over OTLP/HTTP to the collector on 127.0.0.1.
 */
// Each case starts several real Node processes: generous time, since CI machines may be busy.
describe('initTracing in a service process', { timeout: 180_000 }, () => {
  let tc: TestCollector
  beforeAll(async () => {
    tc = await startTestCollector()
  })
  afterAll(() => tc.stop())

  const run = (env: Record<string, string>) =>
    execa(process.execPath, [SERVICE], {
      cwd: REPO_ROOT,
      env: { COLLECTOR_URL: tc.collector.url, OTEL_TRACES_SAMPLER: '', ...env },
      reject: false,
    })

  it('continues the trace in TRACEPARENT, carries BAGGAGE onto spans and flushes before exit', async () => {
    const result = await run({
      TRACEPARENT: `00-${PARENT_TRACE}-${PARENT_SPAN}-01`,
      BAGGAGE: 'task.id=task-42',
      RATIO: '0',
    })
    expect(result.exitCode).toBe(0)
    const spans = tc.collector.store.getTrace(PARENT_TRACE)
    expect(spans.map((s) => s.name).sort()).toEqual(['chat gpt-4o-mini', 'handle request'])
    const request = spans.find((s) => s.name === 'handle request')
    const llm = spans.find((s) => s.name === 'chat gpt-4o-mini')
    // ParentBased: the sampled parent wins over the ratio of 0.
    expect(request?.parentSpanId).toBe(PARENT_SPAN)
    expect(llm?.parentSpanId).toBe(request?.spanId)
    expect(request?.serviceName).toBe('traced-service')
    expect(request?.resource['goblin.id']).toBe('researcher')
    expect(llm?.attributes).toMatchObject({
      'task.id': 'task-42',
      'goblin.id': 'researcher',
      'gen_ai.request.model': 'gpt-4o-mini',
      'llm.tokens.total': 57,
      'llm.cost': 0.0001,
    })
  })

  it('samples new root traces by ratio: 0 exports nothing, 1 exports all', async () => {
    const before = tc.collector.store.stats().spans
    expect((await run({ RATIO: '0' })).exitCode).toBe(0)
    expect(tc.collector.store.stats().spans).toBe(before)
    expect((await run({ RATIO: '1' })).exitCode).toBe(0)
    expect(tc.collector.store.stats().spans).toBe(before + 2)
  })

  it('flushes on SIGTERM', async () => {
    const before = tc.collector.store.stats().spans
    const child = execa(process.execPath, [SERVICE], {
      cwd: REPO_ROOT,
      env: { COLLECTOR_URL: tc.collector.url, RATIO: '1', MODE: 'sigterm' },
      reject: false,
    })
    await new Promise<void>((resolve) => {
      child.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) resolve()
      })
    })
    child.kill('SIGTERM')
    const result = await child
    expect(result.signal).toBe('SIGTERM')
    expect(tc.collector.store.stats().spans).toBe(before + 2)
  })

  it('does nothing under OTEL_SDK_DISABLED=true', async () => {
    const before = tc.collector.store.stats().spans
    expect((await run({ RATIO: '1', OTEL_SDK_DISABLED: 'true' })).exitCode).toBe(0)
    expect(tc.collector.store.stats().spans).toBe(before)
  })
})
