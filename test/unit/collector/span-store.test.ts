import type { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SpanRecord } from '../../../src/collector/span-record.js'
import { type IngestIndex, openSpanStore, type SpanStore } from '../../../src/collector/span-store.js'
import { tempDir } from '../../helpers/cli.js'
import { makeSpan, spanIdOf, traceIdOf } from './make-spans.js'

/** An ingest index that counts spans in its own table, and can be told to fail. */
function countingIndex(): IngestIndex & { failNext: boolean; pruned: bigint[] } {
  const index = {
    name: 'span_counts',
    failNext: false,
    pruned: [] as bigint[],
    setup(db: DatabaseSync) {
      db.exec('CREATE TABLE IF NOT EXISTS span_counts (trace_id TEXT PRIMARY KEY, n INTEGER NOT NULL)')
    },
    index(db: DatabaseSync, spans: SpanRecord[]) {
      if (index.failNext) throw new Error('index failed')
      const up = db.prepare(
        'INSERT INTO span_counts VALUES (?, 1) ON CONFLICT(trace_id) DO UPDATE SET n = n + 1',
      )
      for (const s of spans) up.run(s.traceId)
    },
    prune(_db: DatabaseSync, cutoff: bigint) {
      index.pruned.push(cutoff)
    },
  }
  return index
}

describe('span store', () => {
  let dir: ReturnType<typeof tempDir>
  let store: SpanStore
  let index: ReturnType<typeof countingIndex>

  beforeEach(async () => {
    dir = tempDir()
    index = countingIndex()
    store = await openSpanStore({ dir: dir.path, indexes: [index] })
  })
  afterEach(() => {
    store.close()
    dir.cleanup()
  })

  it('stores spans and reads a trace back in start order, any id case', () => {
    const t = traceIdOf(1)
    store.ingest([
      makeSpan({ traceId: t, spanId: spanIdOf(2), parentSpanId: spanIdOf(1), name: 'child', startMs: 5 }),
      makeSpan({
        traceId: t,
        spanId: spanIdOf(1),
        name: 'root',
        durationMs: 20,
        attributes: { 'llm.cost': 0.5 },
      }),
    ])
    const spans = store.getTrace(t.toUpperCase())
    expect(spans.map((s) => s.name)).toEqual(['root', 'child'])
    expect(spans[0]).toMatchObject({
      parentSpanId: null,
      resource: { 'service.name': 'svc' },
      attributes: { 'llm.cost': 0.5 },
    })
    expect(store.getTrace(traceIdOf(99))).toEqual([])
  })

  it('summarises traces for search: root, counts, errors, cost, goblin, duration', () => {
    const t = traceIdOf(1)
    // The child arrives before its root: the summary names the root once it comes.
    store.ingest([
      makeSpan({
        traceId: t,
        spanId: spanIdOf(2),
        parentSpanId: spanIdOf(1),
        name: 'llm',
        startMs: 10,
        statusCode: 2,
        attributes: { 'llm.cost': 0.25, 'goblin.id': 'researcher' },
      }),
    ])
    expect(store.search()[0]).toMatchObject({ rootTraceName: 'llm', rootSpanReceived: false })
    store.ingest([
      makeSpan({ traceId: t, spanId: spanIdOf(1), name: 'task', durationMs: 100, serviceName: 'agent' }),
    ])
    expect(store.search()).toEqual([
      {
        traceID: t,
        rootServiceName: 'agent',
        rootTraceName: 'task',
        rootSpanReceived: true,
        startTimeUnixNano: '1700000000000000000',
        durationMs: 100,
        spanCount: 2,
        errorCount: 1,
        costUsd: 0.25,
        // Without the LLM-call index (this store has none) only the spans' own llm.cost is known.
        llmCalls: 0,
        unpricedCalls: 0,
        goblinId: 'researcher',
      },
    ])
  })

  it('filters searches by tags, duration, time and limit', () => {
    for (let i = 1; i <= 5; i++) {
      store.ingest([
        makeSpan({
          traceId: traceIdOf(i),
          spanId: spanIdOf(i),
          startMs: i * 1000,
          durationMs: i * 100,
          serviceName: i % 2 ? 'odd' : 'even',
          statusCode: i === 4 ? 2 : 0,
          attributes: { 'task.id': `t${i}` },
        }),
      ])
    }
    const ids = (q: Parameters<SpanStore['search']>[0]) =>
      store.search(q).map((t) => Number.parseInt(t.traceID, 16))
    expect(ids({})).toEqual([5, 4, 3, 2, 1])
    expect(ids({ tags: { 'service.name': 'even' } })).toEqual([4, 2])
    expect(ids({ tags: { status: 'error' } })).toEqual([4])
    expect(ids({ tags: { 'task.id': 't3' } })).toEqual([3])
    expect(ids({ tags: { 'service.name': 'odd' }, minDurationMs: 250 })).toEqual([5, 3])
    expect(ids({ limit: 2 })).toEqual([5, 4])
    const at = (ms: number) => (1_700_000_000_000n + BigInt(ms)) * 1_000_000n
    expect(ids({ startUnixNano: at(2000), endUnixNano: at(3000) })).toEqual([3, 2])
  })

  it('runs ingest indexes in the same transaction: a failing index stores nothing', () => {
    store.ingest([makeSpan({ traceId: traceIdOf(1), spanId: spanIdOf(1) })])
    index.failNext = true
    expect(() => store.ingest([makeSpan({ traceId: traceIdOf(2), spanId: spanIdOf(2) })])).toThrow(
      /index failed/,
    )
    index.failNext = false
    expect(store.getTrace(traceIdOf(2))).toEqual([])
    expect(store.search().map((t) => t.traceID)).toEqual([traceIdOf(1)])
    expect(store.db.prepare('SELECT count(*) AS n FROM span_counts').get()).toEqual({ n: 1 })
    // Resource ids cached inside the rolled-back transaction must not leak into the next one.
    store.ingest([makeSpan({ traceId: traceIdOf(3), spanId: spanIdOf(3), serviceName: 'new' })])
    expect(store.getTrace(traceIdOf(3))[0]?.resource).toEqual({ 'service.name': 'new' })
  })

  it('prunes whole traces by age and calls each index', () => {
    const now = 1_700_000_100_000n * 1_000_000n
    store.ingest([
      makeSpan({ traceId: traceIdOf(1), spanId: spanIdOf(1), startMs: 0 }),
      makeSpan({ traceId: traceIdOf(2), spanId: spanIdOf(2), startMs: 99_000 }),
    ])
    const deleted = store.applyRetention({ maxAgeHours: 50 / 3600, maxMegabytes: 1024 }, now)
    expect(deleted).toBe(1)
    expect(store.search().map((t) => t.traceID)).toEqual([traceIdOf(2)])
    expect(index.pruned).toEqual([now - 50_000_000_000n])
  })

  it('keeps the store under its size limit by dropping the oldest traces', () => {
    const big = 'x'.repeat(2_000)
    for (let batch = 0; batch < 20; batch++) {
      store.ingest(
        Array.from({ length: 100 }, (_, i) =>
          makeSpan({
            traceId: traceIdOf(batch + 1),
            spanId: spanIdOf(i + 1),
            startMs: batch * 10,
            attributes: { big },
          }),
        ),
      )
    }
    const before = store.stats()
    expect(before.bytes).toBeGreaterThan(3 * 1024 * 1024)
    store.applyRetention({ maxAgeHours: 1e6, maxMegabytes: 2 }, 1_700_000_100_000n * 1_000_000n)
    const after = store.stats()
    expect(after.bytes).toBeLessThanOrEqual(2 * 1024 * 1024)
    expect(after.traces).toBeGreaterThan(0)
    // The newest traces stay.
    expect(store.search({ limit: 1 })[0]?.traceID).toBe(traceIdOf(20))
  })

  it('serves a read-only reader beside the writer, and refuses a missing store', async () => {
    store.ingest([makeSpan({ traceId: traceIdOf(7), spanId: spanIdOf(7) })])
    const reader = await openSpanStore({ dir: dir.path, readonly: true })
    try {
      expect(reader.getTrace(traceIdOf(7))).toHaveLength(1)
      store.ingest([makeSpan({ traceId: traceIdOf(8), spanId: spanIdOf(8) })])
      expect(reader.search().map((t) => t.traceID)).toEqual([traceIdOf(8), traceIdOf(7)])
      expect(() => reader.ingest([makeSpan({ traceId: traceIdOf(9), spanId: spanIdOf(9) })])).toThrow()
    } finally {
      reader.close()
    }
    const empty = tempDir()
    await expect(openSpanStore({ dir: empty.path, readonly: true })).rejects.toThrow(/no span store/)
    empty.cleanup()
  })

  it('follows new spans by cursor', () => {
    expect(store.lastSeq()).toBe(0)
    store.ingest([
      makeSpan({ traceId: traceIdOf(1), spanId: spanIdOf(1) }),
      makeSpan({ traceId: traceIdOf(1), spanId: spanIdOf(2) }),
    ])
    const first = store.spansAfter(0)
    expect(first.map((s) => s.spanId)).toEqual([spanIdOf(1), spanIdOf(2)])
    store.ingest([makeSpan({ traceId: traceIdOf(2), spanId: spanIdOf(3) })])
    expect(store.spansAfter(first.at(-1)?.seq ?? 0).map((s) => s.spanId)).toEqual([spanIdOf(3)])
  })

  it('refuses a store written with another schema, naming the file', async () => {
    const other = tempDir()
    const { DatabaseSync } = await import('node:sqlite')
    const db = new DatabaseSync(`${other.path}/spans.db`)
    db.exec('CREATE TABLE spans (trace_id TEXT)')
    db.close()
    await expect(openSpanStore({ dir: other.path })).rejects.toMatchObject({
      code: 'SPAN_STORE_VERSION',
      message: expect.stringContaining(`${other.path}/spans.db`),
    })
    other.cleanup()
  })
})

describe('trace key', () => {
  it('takes the random end of the id, so ids that share a prefix (X-Ray style timestamps) spread', async () => {
    const { traceKey } = await import('../../../src/collector/trace-key.js')
    expect(traceKey('5b8efff798038103d269b633813fc60c')).toBe(0xb633813fc60c)
    expect(traceKey('6744a7f1000000000000000000000001')).not.toBe(
      traceKey('6744a7f1000000000000000000000002'),
    )
  })
})
