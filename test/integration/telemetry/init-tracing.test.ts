import { type AddressInfo, createServer, type Socket } from 'node:net'
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

  it('exits within its bound when the collector accepts and never answers, and warns once', async () => {
    // The exporter's own timeout is set to ten minutes: only initTracing's exit bound (2 s) can let the
    // process end within the test.
    await withHangingCollector(async (url, connections) => {
      const result = await run({ COLLECTOR_URL: url, RATIO: '1', OTEL_EXPORTER_OTLP_TIMEOUT: '600000' })
      expect(result.exitCode).toBe(0)
      expect(connections()).toBeGreaterThan(0)
      expect(warnings(result.stderr)).toEqual([
        `spans could not be exported to ${url}/v1/traces (Request timed out); further export failures are not reported`,
      ])
    })
  })

  it('three failed exports (two flushes and the exit) make one warning', async () => {
    await withHangingCollector(async (url, connections) => {
      const result = await run({
        COLLECTOR_URL: url,
        RATIO: '1',
        MODE: 'flush-twice',
        OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
      })
      expect(result.exitCode).toBe(0)
      expect(connections()).toBeGreaterThanOrEqual(3)
      expect(warnings(result.stderr)).toHaveLength(1)
    })
  })
})

/** A collector that hangs: it takes every connection and never answers. */
async function withHangingCollector(fn: (url: string, connections: () => number) => Promise<void>) {
  const held: Socket[] = []
  const server = createServer((socket) => held.push(socket))
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  )
  try {
    await fn(`http://127.0.0.1:${port}`, () => held.length)
  } finally {
    for (const socket of held) socket.destroy()
    server.close()
  }
}

/** The GoblinTelemetryWarning messages a process printed (Node's `(node:PID) [CODE] Type: message` lines). */
function warnings(stderr: string): string[] {
  return [...stderr.matchAll(/\[GOBLIN_OTLP_EXPORT_FAILED\] GoblinTelemetryWarning: (.*)/g)].map(
    (m) => m[1] as string,
  )
}
