import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sealEnvelope } from '../../../src/audit/envelope.js'
import { generateKey, loadSigner, privateKeyPath } from '../../../src/audit/keyring.js'
import { parseVerifierKey } from '../../../src/audit/signed-note.js'
import { verifyLedger } from '../../../src/audit/verify.js'
import { createAuditAggregator } from '../../../src/collector/audit-aggregator.js'
import { type RunningCollector, startCollector } from '../../../src/collector/collector.js'
import { CollectorMetrics } from '../../../src/collector/metrics.js'
import { auditEmitter } from '../../../src/telemetry/audit-emitter.js'
import { tempDir } from '../../helpers/cli.js'

const home = tempDir()
const ledgerDir = join(home.path, 'audit')
const ledgerKeys = join(home.path, 'keys')
const serviceKeys = join(home.path, 'service-keys')
const strangerKeys = join(home.path, 'stranger-keys')
let collector: RunningCollector
let metrics: CollectorMetrics
let serviceVkey: string

beforeAll(async () => {
  await generateKey(ledgerKeys, 'ledger')
  serviceVkey = (await generateKey(serviceKeys, 'researcher')).record.vkey
  await generateKey(strangerKeys, 'stranger')
  metrics = new CollectorMetrics()
  const audit = createAuditAggregator({
    ledgerDir,
    signer: loadSigner(ledgerKeys, 'ledger').signer,
    trusted: [{ verifier: parseVerifierKey(serviceVkey), record: null }],
    metrics,
  })
  collector = await startCollector({
    host: '127.0.0.1',
    port: 0,
    dir: join(home.path, 'spans'),
    version: 'test',
    metrics,
    audit,
  })
})
afterAll(async () => {
  await collector?.close()
  home.cleanup()
})

const ledgerLines = () => readFileSync(join(ledgerDir, 'log.jsonl'), 'utf8').trim().split('\n')
const metric = async (text: string) => {
  const body = await (await fetch(`${collector.url}/metrics`)).text()
  return Number(new RegExp(`^${text.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(body)?.[1] ?? Number.NaN)
}

describe('the audit aggregator in the embedded collector', () => {
  it('verifies a service’s envelopes sent with auditEmitter and appends them to the ledger', async () => {
    const emitter = auditEmitter({
      goblinId: 'researcher',
      keyFile: privateKeyPath(serviceKeys, 'researcher'),
      endpoint: collector.url,
    })
    const first = await emitter.emit({ action: 'tool.call', decision: 'allow', attrs: { tool: 'search' } })
    await emitter.emit({ action: 'file.write', decision: 'deny', traceId: 'ab'.repeat(16) })
    expect(first.kid).toMatch(/^researcher\+[0-9a-f]{8}$/)
    const lines = ledgerLines().map((l) => JSON.parse(l))
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatchObject({
      seq: 0,
      goblin_id: 'researcher',
      action: 'tool.call',
      attrs: { tool: 'search', 'goblin.audit.source': { kid: first.kid, seq: 0, sig: first.sig } },
    })
    expect(lines[1]).toMatchObject({ seq: 1, decision: 'deny', trace_id: 'ab'.repeat(16) })
    const report = await verifyLedger(ledgerDir, [
      { verifier: loadSigner(ledgerKeys, 'ledger').signer, record: null },
    ])
    expect(report.ok).toBe(true)
    expect(await metric('goblin_audit_appended_total')).toBe(2)
  })

  it('refuses and counts an untrusted key, a broken signature and a malformed body; appends none of them', async () => {
    const stranger = auditEmitter({
      goblinId: 'x',
      keyFile: privateKeyPath(strangerKeys, 'stranger'),
      endpoint: collector.url,
    })
    await expect(stranger.emit({ action: 'a', decision: 'allow' })).rejects.toThrow(
      /stranger\+[0-9a-f]{8} is not trusted/,
    )

    const signer = loadSigner(serviceKeys, 'researcher').signer
    const forged = {
      ...sealEnvelope(
        { goblin_id: 'researcher', action: 'rm -rf', decision: 'deny', trace_id: null },
        7,
        new Date(),
        signer,
      ),
    }
    forged.decision = 'allow'
    const send = (body: string) =>
      fetch(`${collector.url}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          resourceLogs: [
            { scopeLogs: [{ logRecords: [{ eventName: 'goblin.audit', body: { stringValue: body } }] }] },
          ],
        }),
      }).then(
        (r) =>
          r.json() as Promise<{ partialSuccess?: { rejectedLogRecords?: string; errorMessage?: string } }>,
      )
    const bad = await send(JSON.stringify(forged))
    expect(bad.partialSuccess?.rejectedLogRecords).toBe('1')
    expect(bad.partialSuccess?.errorMessage).toContain('does not verify')
    expect((await send('{not json')).partialSuccess?.rejectedLogRecords).toBe('1')

    expect(ledgerLines()).toHaveLength(2)
    expect(await metric('goblin_audit_rejected_total{reason="unknown_key"}')).toBe(1)
    expect(await metric('goblin_audit_rejected_total{reason="bad_signature"}')).toBe(1)
    expect(await metric('goblin_audit_rejected_total{reason="malformed"}')).toBe(1)
  })

  it('leaves ordinary log records alone', async () => {
    const answer = await fetch(`${collector.url}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'hello' } }] }] }],
      }),
    })
    expect(answer.status).toBe(200)
    expect(await answer.json()).toEqual({})
    expect(ledgerLines()).toHaveLength(2)
  })
})
