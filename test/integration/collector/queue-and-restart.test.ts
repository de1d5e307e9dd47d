import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it } from 'vitest'
import { SPAN_DB_FILE } from '../../../src/collector/span-store.js'
import { tempDir } from '../../helpers/cli.js'
import { metricValue, startTestCollector } from './collector-fixture.js'

/** An OTLP/JSON body of `count` spans in trace `trace`, span ids from `first`. */
function batch(trace: number, count: number, first = 1): string {
  const traceId = trace.toString(16).padStart(32, '0')
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'load' } }] },
        scopeSpans: [
          {
            spans: Array.from({ length: count }, (_, i) => ({
              traceId,
              spanId: (first + i).toString(16).padStart(16, '0'),
              name: `s${first + i}`,
              startTimeUnixNano: '1700000000000000000',
              endTimeUnixNano: '1700000000100000000',
            })),
          },
        ],
      },
    ],
  })
}

const send = (url: string, body: string) =>
  fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })

describe('bounded ingest queue', () => {
  it('answers 429 with Retry-After when full, acknowledges only what it stored, and drains after', async () => {
    const tc = await startTestCollector({ queueCapacity: 100 })
    // Another writer holds SQLite's write lock: the collector cannot commit, so its queue fills.
    const blocker = new DatabaseSync(join(tc.dir, SPAN_DB_FILE))
    blocker.exec('BEGIN IMMEDIATE')
    try {
      const first = send(tc.collector.url, batch(1, 60))
      // Wait until the first batch is queued (the depth gauge shows it).
      for (let i = 0; i < 100 && tc.collector.queue.depth === 0; i++)
        await new Promise((r) => setTimeout(r, 10))
      expect(tc.collector.queue.depth).toBe(60)
      const refused = await send(tc.collector.url, batch(2, 60))
      expect(refused.status).toBe(429)
      expect(refused.headers.get('retry-after')).toBe('1')
      expect(await refused.json()).toMatchObject({
        code: 8,
        message: expect.stringMatching(/queue full \(60\/100/),
      })
      const metrics = await (await fetch(`${tc.collector.url}/metrics`)).text()
      expect(metricValue(metrics, 'goblin_ingest_queue_depth')).toBe(60)
      expect(metricValue(metrics, 'goblin_spans_dropped_total{reason="queue_full"}')).toBe(60)
      // The queued request is not answered while its spans are not durable.
      const early = await Promise.race([
        first.then(() => 'answered'),
        new Promise((r) => setTimeout(() => r('pending'), 200)),
      ])
      expect(early).toBe('pending')
      blocker.exec('COMMIT')
      expect((await first).status).toBe(200)
      expect(tc.collector.store.getTrace((1).toString(16).padStart(32, '0'))).toHaveLength(60)
      expect(tc.collector.store.getTrace((2).toString(16).padStart(32, '0'))).toHaveLength(0)
      expect(tc.collector.queue.depth).toBe(0)
      // Room again: the retried batch goes through.
      expect((await send(tc.collector.url, batch(2, 60))).status).toBe(200)
    } finally {
      if (blocker.isTransaction) blocker.exec('ROLLBACK')
      blocker.close()
      await tc.stop()
    }
  })
})

describe('collector restart', () => {
  it('loses no acknowledged span: close drains the queue, a new collector on the same store serves everything', async () => {
    const dir = tempDir('goblin-restart-')
    try {
      const first = await startTestCollector({ dir: dir.path })
      const acked: number[] = []
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          send(first.collector.url, batch(100 + i, 50)).then((r) => [i, r.status]),
        ),
      )
      for (const [i, status] of answers) if (status === 200) acked.push(i as number)
      expect(acked).toHaveLength(20)
      // Stop while nothing is known to be pending, then send once more during shutdown: refused or stored, never lost.
      const closing = first.collector.close()
      const late = await send(first.collector.url, batch(999, 10)).then(
        (r) => r.status,
        () => 'refused',
      )
      await closing

      const second = await startTestCollector({ dir: dir.path })
      try {
        for (const i of acked) {
          expect(second.collector.store.getTrace((100 + i).toString(16).padStart(32, '0'))).toHaveLength(50)
        }
        const lateStored = second.collector.store.getTrace((999).toString(16).padStart(32, '0')).length
        expect(late === 200 ? lateStored === 10 : lateStored === 0).toBe(true)
        expect(second.collector.store.stats().spans).toBe(1_000 + lateStored)
      } finally {
        await second.collector.close()
      }
    } finally {
      dir.cleanup()
    }
  })
})
