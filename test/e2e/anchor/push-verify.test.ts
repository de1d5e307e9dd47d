import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseJson, runGoblin, tempDir } from '../../helpers/cli.js'
import { S3RVER_ENV, S3TestServer } from '../../support/s3-server.js'

let server: S3TestServer
const home = tempDir()
const project = tempDir()
const goblin = (...args: string[]) =>
  runGoblin(args, { cwd: project.path, env: { GOBLIN_HOME: home.path, ...S3RVER_ENV } })
const verifyBucket = (...extra: string[]) =>
  goblin('audit', 'verify', '--source', 's3://locked/prod', '--endpoint', server.endpoint, ...extra)

beforeAll(async () => {
  server = await new S3TestServer(['locked', 'plain'], new Set(['locked'])).start()
  for (const args of [
    ['audit', 'keygen'],
    ['audit', 'sign', '--goblin', 'researcher', '--action', 'tool.call', '--decision', 'allow'],
    ['audit', 'sign', '--goblin', 'researcher', '--action', 'file.write', '--decision', 'deny'],
    ['audit', 'checkpoint'],
  ]) {
    const run = await goblin(...args)
    expect(run.exitCode, run.stderr).toBe(0)
  }
}, 180_000)
afterAll(async () => {
  await server?.stop()
  home.cleanup()
  project.cleanup()
})

describe('goblin audit push and verify --source, end to end', { timeout: 180_000 }, () => {
  it('a bucket without Object Lock: exit 2, a clear error, nothing uploaded', async () => {
    const run = await goblin('audit', 'push', '--bucket', 'plain', '--endpoint', server.endpoint)
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('bucket plain has no Object Lock')
    expect(run.stderr).toContain('nothing was uploaded')
    expect(server.objectPuts()).toHaveLength(0)
  })

  it('no AWS credentials at all: exit 2 saying so (it used to read as "access denied")', async () => {
    const run = await runGoblin(
      ['audit', 'push', '--bucket', 'locked', '--endpoint', server.endpoint, '--json'],
      {
        cwd: project.path,
        env: {
          GOBLIN_HOME: home.path,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: undefined,
          AWS_SECRET_ACCESS_KEY: undefined,
          AWS_PROFILE: undefined,
          AWS_SHARED_CREDENTIALS_FILE: join(project.path, 'no-credentials'),
          AWS_CONFIG_FILE: join(project.path, 'no-config'),
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      },
    )
    expect(run.exitCode, run.stdout + run.stderr).toBe(2)
    expect(parseJson<{ error: { code: string; message: string } }>(run).error).toMatchObject({
      code: 'S3_NO_CREDENTIALS',
      message: expect.stringContaining('no AWS credentials were found'),
    })
    expect(server.objectPuts()).toHaveLength(0)
  })

  it('pushes with retention, then re-runs as a no-op; no credential printed', async () => {
    const first = await goblin(
      'audit',
      'push',
      '--bucket',
      'locked',
      '--prefix',
      'prod',
      '--endpoint',
      server.endpoint,
      '--mode',
      'governance',
      '--retention-days',
      '7',
      '--json',
    )
    expect(first.exitCode, first.stderr).toBe(0)
    // Progress on stderr (off a terminal: its first line, once), never in the JSON on stdout.
    expect(first.stderr).toContain('uploading to s3://locked: 0 of 5 objects sent')
    const report = parseJson<{ uploaded: number; mode: string; objects: { key: string }[] }>(first)
    expect(report.uploaded).toBe(5)
    expect(report.mode).toBe('governance')
    // The published checkpoint goes after the tiles it needs.
    expect(report.objects.map((o) => o.key)).toEqual([
      'log/000000000000-000000000002.jsonl',
      'tile/0/000.p/2',
      'tile/entries/000.p/2',
      'checkpoints/2.note',
      'checkpoint',
    ])
    expect(server.objectPuts().every((p) => p.headers['x-amz-object-lock-mode'] === 'GOVERNANCE')).toBe(true)
    const again = await goblin(
      'audit',
      'push',
      '--bucket',
      'locked',
      '--prefix',
      'prod',
      '--endpoint',
      server.endpoint,
    )
    expect(again.exitCode).toBe(0)
    expect(again.stdout).toContain('0 uploaded, 5 already there')
    expect(again.stderr).not.toContain('uploading')
    // s3rver's fixed key pair is also its secret; a real secret never appears either.
    expect(first.stdout + first.stderr + again.stdout + again.stderr).not.toContain('S3RVER')
  })

  it('verifies straight from the bucket', async () => {
    const run = await verifyBucket()
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^ok: 2 entries, 1 checkpoint\(s\)/m)
    // Or one entry from the bucket's tiles alone.
    const one = await verifyBucket('--index', '1', '--json')
    expect(one.exitCode, one.stdout).toBe(0)
    expect(parseJson(one)).toMatchObject({
      ok: true,
      entries: [{ index: 1, entry: { action: 'file.write', decision: 'deny' } }],
      fetched: { requests: 3 },
    })
  })

  it('a segment rewritten in the bucket fails verification (exit 1)', async () => {
    const { S3Client, PutObjectCommand, GetObjectCommand } = await import('@aws-sdk/client-s3')
    const client = new S3Client({
      endpoint: server.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    })
    const key = 'prod/log/000000000000-000000000002.jsonl'
    const original = await (
      await client.send(new GetObjectCommand({ Bucket: 'locked', Key: key }))
    ).Body?.transformToString()
    await client.send(
      new PutObjectCommand({
        Bucket: 'locked',
        Key: key,
        Body: (original ?? '').replace('"deny"', '"allow"'),
      }),
    )
    const run = await verifyBucket('--json')
    expect(run.exitCode).toBe(1)
    expect(parseJson<{ ok: boolean }>(run).ok).toBe(false)
    client.destroy()
  })
})
