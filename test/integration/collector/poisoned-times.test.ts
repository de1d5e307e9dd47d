import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestCollector, type TestCollector } from './collector-fixture.js'

// The attack: a protocol-valid span (fixed64 time 2^64-1) that SQLite cannot hold, sent alongside
// legitimate clients whose requests the ingest queue commits in the same transaction.
const MAX_FIXED64 = '18446744073709551615'

function traceBody(traceId: string, start: string, name: string): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: name } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId: '1'.repeat(16),
                name,
                startTimeUnixNano: start,
                endTimeUnixNano: '1700000001000000000',
              },
            ],
          },
        ],
      },
    ],
  })
}

function logBody(time: string, body: string): string {
  return JSON.stringify({
    resourceLogs: [
      {
        scopeLogs: [{ logRecords: [{ timeUnixNano: time, body: { stringValue: body } }] }],
      },
    ],
  })
}

describe('a span or log record with a time the store cannot hold', () => {
  let tc: TestCollector
  const post = (signal: string, body: string) =>
    fetch(`${tc.collector.url}/v1/${signal}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
  beforeAll(async () => {
    tc = await startTestCollector()
  })
  afterAll(() => tc.stop())

  it('is refused alone (partial success) and never fails the requests committed with it', async () => {
    const honest = Array.from({ length: 8 }, (_, i) => (i + 1).toString(16).padStart(32, 'a'))
    // All at once, so the queue groups the poisoned request with honest ones in one transaction.
    const [poisoned, ...others] = await Promise.all([
      post('traces', traceBody('f'.repeat(32), MAX_FIXED64, 'poisoner')),
      ...honest.map((id) => post('traces', traceBody(id, '1700000000000000000', 'honest'))),
    ])
    expect(poisoned.status).toBe(200)
    expect(await poisoned.json()).toEqual({
      partialSuccess: {
        rejectedSpans: '1',
        errorMessage: expect.stringMatching(
          /spans\[0\]: startTimeUnixNano 18446744073709551615 is past 9223372036854775807/,
        ),
      },
    })
    expect(others.map((r) => r.status)).toEqual(honest.map(() => 200))
    for (const id of honest) expect(tc.collector.store.getTrace(id)).toHaveLength(1)
    expect(tc.collector.store.getTrace('f'.repeat(32))).toEqual([])
  })

  it('holds the largest time the store can represent', async () => {
    const res = await post('traces', traceBody('e'.repeat(32), '9223372036854775807', 'edge'))
    expect(await res.json()).toEqual({})
    expect(tc.collector.store.getTrace('e'.repeat(32))[0]?.startTimeUnixNano).toBe('9223372036854775807')
  })

  it('refuses a log record past the store, keeping its honest neighbours', async () => {
    const [poisoned, honest] = await Promise.all([
      post('logs', logBody(MAX_FIXED64, 'poison')),
      post('logs', logBody('1700000000000000000', 'honest')),
    ])
    expect(poisoned.status).toBe(200)
    expect(await poisoned.json()).toMatchObject({
      partialSuccess: { rejectedLogRecords: '1', errorMessage: expect.stringMatching(/timeUnixNano/) },
    })
    expect(honest.status).toBe(200)
    expect(await honest.json()).toEqual({})
  })
})
