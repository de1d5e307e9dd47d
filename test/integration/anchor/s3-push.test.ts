import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { openBucketLedger } from '../../../src/anchor/s3-pull.js'
import { pushLedger } from '../../../src/anchor/s3-push.js'
import { createCheckpoint } from '../../../src/audit/checkpoint-store.js'
import { generateKey, loadSigner } from '../../../src/audit/keyring.js'
import { appendEvents } from '../../../src/audit/ledger.js'
import { GoblinError } from '../../../src/core/errors.js'
import { tempDir } from '../../helpers/cli.js'
import { S3RVER_ENV, S3TestServer } from '../../support/s3-server.js'

let server: S3TestServer
const home = tempDir()
const ledgerDir = join(home.path, 'audit')
const savedEnv = { ...process.env }

const event = (i: number) => ({
  goblin_id: 'researcher',
  action: `step.${i}`,
  decision: 'allow',
  trace_id: null,
})

beforeAll(async () => {
  Object.assign(process.env, S3RVER_ENV)
  server = await new S3TestServer(['locked', 'plain'], new Set(['locked'])).start()
  await generateKey(join(home.path, 'keys'), 'ci')
  const { signer } = loadSigner(join(home.path, 'keys'), 'ci')
  await appendEvents(ledgerDir, [0, 1, 2].map(event), signer)
  await createCheckpoint(ledgerDir, signer, 'goblin/ci')
  await appendEvents(ledgerDir, [3, 4].map(event), signer)
  await createCheckpoint(ledgerDir, signer, 'goblin/ci')
  await appendEvents(ledgerDir, [5].map(event), signer) // not sealed by a checkpoint: not pushed
})
afterEach(() => {
  server.failPutsOf = null
})
afterAll(async () => {
  await server.stop()
  process.env = savedEnv
  home.cleanup()
})

const options = (bucket = 'locked', prefix = 'team/audit') => ({
  bucket,
  prefix,
  endpoint: server.endpoint,
  retentionDays: 30,
  mode: 'compliance' as const,
  now: new Date('2026-01-01T00:00:00Z'),
})

describe('goblin audit push against s3rver behind the Object Lock test peer', { timeout: 120_000 }, () => {
  it('refuses a bucket without Object Lock before uploading anything', async () => {
    const before = server.objectPuts().length
    const error = await pushLedger(ledgerDir, options('plain')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(GoblinError)
    expect((error as GoblinError).code).toBe('S3_NO_OBJECT_LOCK')
    expect((error as GoblinError).exit).toBe(2)
    expect((error as GoblinError).message).toContain('nothing was uploaded')
    expect(server.objectPuts().length).toBe(before)
  })

  it('a failed upload resumes: the re-run uploads only what is missing', async () => {
    server.failPutsOf = 'checkpoints/3.note'
    const error = await pushLedger(ledgerDir, options()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(GoblinError)
    expect((error as GoblinError).message).toContain('InternalError')

    expect(server.objectPuts().filter((r) => r.path.endsWith('.jsonl')).length).toBe(2)
    server.failPutsOf = null
    const report = await pushLedger(ledgerDir, options())
    expect(report.objects.map((o) => [o.key, o.status])).toEqual([
      ['log/000000000000-000000000003.jsonl', 'present'],
      ['log/000000000003-000000000005.jsonl', 'present'],
      ['tile/0/000.p/3', 'present'],
      ['tile/entries/000.p/3', 'present'],
      ['tile/0/000.p/5', 'present'],
      ['tile/entries/000.p/5', 'present'],
      ['checkpoints/3.note', 'uploaded'],
      ['checkpoints/5.note', 'uploaded'],
      ['checkpoint', 'uploaded'],
    ])
    expect(report.retain_until).toBe('2026-01-31T00:00:00.000Z')
  })

  it('sends Object Lock retention and a SHA-256 checksum with every object', async () => {
    const puts = server.objectPuts().filter((r) => r.path.startsWith('/locked/'))
    expect(puts.length).toBeGreaterThanOrEqual(4)
    for (const put of puts) {
      expect(put.headers['x-amz-object-lock-mode']).toBe('COMPLIANCE')
      expect(put.headers['x-amz-object-lock-retain-until-date']).toBe('2026-01-31T00:00:00Z')
      expect(put.headers['x-amz-checksum-sha256']).toMatch(/^[A-Za-z0-9+/]{43}=$/)
    }
  })

  it('is idempotent: a second run uploads nothing', async () => {
    const before = server.objectPuts().length
    const report = await pushLedger(ledgerDir, options())
    expect(report.uploaded).toBe(0)
    expect(report.present).toBe(9)
    expect(server.objectPuts().length).toBe(before)
  })

  it('a grown receipt is uploaded as a new version; a rewritten sealed object is a conflict', async () => {
    const receipt = join(ledgerDir, 'checkpoints', '5.anchor.json')
    writeFileSync(receipt, '{"placeholder":true}\n')
    const report = await pushLedger(ledgerDir, options())
    expect(report.objects.find((o) => o.key === 'checkpoints/5.anchor.json')?.status).toBe('uploaded')
    writeFileSync(receipt, '{"placeholder":"grown"}\n')
    expect((await pushLedger(ledgerDir, options())).objects.find((o) => o.kind === 'receipt')?.status).toBe(
      'new-version',
    )

    const note = join(ledgerDir, 'checkpoints', '3.note')
    const saved = readFileSync(note)
    try {
      writeFileSync(note, Buffer.concat([saved, Buffer.from('x')]))
      const error = await pushLedger(ledgerDir, options()).catch((e: unknown) => e)
      expect((error as GoblinError).code).toBe('S3_CONFLICT')
      expect((error as GoblinError).exit).toBe(1)
    } finally {
      writeFileSync(note, saved)
    }
  })

  it('reads the ledger back from the bucket: the sealed lines, checkpoints and receipts', async () => {
    const opened = await openBucketLedger('s3://locked/team/audit', { endpoint: server.endpoint })
    try {
      const log = readFileSync(join(opened.ledgerDir, 'log.jsonl'), 'utf8')
      expect(log).toBe(
        `${readFileSync(join(ledgerDir, 'log.jsonl'), 'utf8').split('\n').slice(0, 5).join('\n')}\n`,
      )
      expect(readFileSync(join(opened.ledgerDir, 'checkpoints', '5.note'), 'utf8')).toBe(
        readFileSync(join(ledgerDir, 'checkpoints', '5.note'), 'utf8'),
      )
    } finally {
      opened.cleanup()
    }
  })

  it('an unreachable endpoint is exit 3', async () => {
    const error = await pushLedger(ledgerDir, { ...options(), endpoint: 'http://127.0.0.1:1' }).catch(
      (e: unknown) => e,
    )
    expect((error as GoblinError).exit).toBe(3)
  })
})
