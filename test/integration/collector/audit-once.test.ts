import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { sealEnvelope } from '../../../src/audit/envelope.js'
import { generateKey, loadSigner } from '../../../src/audit/keyring.js'
import { parseVerifierKey } from '../../../src/audit/signed-note.js'
import { createAuditAggregator } from '../../../src/collector/audit-aggregator.js'
import { CollectorMetrics } from '../../../src/collector/metrics.js'
import { tempDir } from '../../helpers/cli.js'
import { startTestCollector, type TestCollector } from './collector-fixture.js'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function setup() {
  const home = tempDir('goblin-audit-once-')
  cleanups.push(home.cleanup)
  const ledgerDir = join(home.path, 'audit')
  const ledgerKeys = join(home.path, 'keys')
  const serviceKeys = join(home.path, 'service-keys')
  await generateKey(ledgerKeys, 'ledger')
  const service = await generateKey(serviceKeys, 'svc')
  const start = async () => {
    const metrics = new CollectorMetrics()
    const audit = createAuditAggregator({
      ledgerDir,
      signer: loadSigner(ledgerKeys, 'ledger').signer,
      trusted: [{ verifier: parseVerifierKey(service.record.vkey), record: null }],
      metrics,
    })
    const tc = await startTestCollector({ audit, metrics, dir: join(home.path, `spans-${Math.random()}`) })
    return tc
  }
  const signer = loadSigner(serviceKeys, 'svc').signer
  const envelope = (seq: number, action = 'tool.call') =>
    JSON.stringify(
      sealEnvelope({ goblin_id: 'svc', action, decision: 'allow', trace_id: null }, seq, new Date(), signer),
    )
  const lines = () =>
    existsSync(join(ledgerDir, 'log.jsonl'))
      ? readFileSync(join(ledgerDir, 'log.jsonl'), 'utf8').trim().split('\n').filter(Boolean)
      : []
  return { start, envelope, lines }
}

function send(tc: TestCollector, body: string) {
  return fetch(`${tc.collector.url}/v1/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      resourceLogs: [
        { scopeLogs: [{ logRecords: [{ eventName: 'goblin.audit', body: { stringValue: body } }] }] },
      ],
    }),
  })
}

describe('the audit aggregator under retries and failures', () => {
  it('appends an envelope posted three times (one after another, and at once) exactly once', async () => {
    const { start, envelope, lines } = await setup()
    const tc = await start()
    cleanups.push(() => tc.stop())
    const first = envelope(0)
    for (let i = 0; i < 3; i++) expect((await send(tc, first)).status).toBe(200)
    const second = envelope(1)
    const together = await Promise.all([send(tc, second), send(tc, second), send(tc, second)])
    expect(together.map((r) => r.status)).toEqual([200, 200, 200])
    expect(lines().map((l) => JSON.parse(l).attrs['goblin.audit.source'].seq)).toEqual([0, 1])
  })

  it('refuses a different envelope at a seq already in the ledger (the source equivocates)', async () => {
    const { start, envelope, lines } = await setup()
    const tc = await start()
    cleanups.push(() => tc.stop())
    await send(tc, envelope(0, 'first'))
    const answer = await (await send(tc, envelope(0, 'second'))).json()
    expect(answer).toMatchObject({
      partialSuccess: {
        rejectedLogRecords: '1',
        errorMessage: expect.stringMatching(/svc\+[0-9a-f]{8} seq 0 is already in the ledger/),
      },
    })
    expect(lines()).toHaveLength(1)
    expect(JSON.parse(lines()[0] as string).action).toBe('first')
  })

  it('remembers across a restart which envelopes the ledger holds', async () => {
    const { start, envelope, lines } = await setup()
    const body = envelope(0)
    const before = await start()
    await send(before, body)
    await before.stop()
    const after = await start()
    cleanups.push(() => after.stop())
    expect((await send(after, body)).status).toBe(200)
    expect(lines()).toHaveLength(1)
  })

  it('appends nothing for requests answered 503 (the store failed), and appends on the retry that succeeds', async () => {
    const { start, envelope, lines } = await setup()
    const tc = await start()
    const body = envelope(0)
    // A real store failure: the store's database is closed under the running collector.
    tc.collector.store.close()
    for (let i = 0; i < 3; i++) expect((await send(tc, body)).status).toBe(503)
    expect(lines()).toEqual([])
    await tc.stop().catch(() => {})
    const healthy = await start()
    cleanups.push(() => healthy.stop())
    expect((await send(healthy, body)).status).toBe(200)
    expect(lines()).toHaveLength(1)
  })
})
