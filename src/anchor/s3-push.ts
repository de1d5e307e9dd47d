import { createHash } from 'node:crypto'
import { GoblinError, usageError } from '../core/errors.js'
import { createS3Client, fullKey, type S3Settings, s3Error } from './s3-client.js'
import { GROWING_KINDS, type LedgerObject, ledgerObjects, type ObjectKind } from './s3-layout.js'

/**
 * `goblin audit push`: uploads the ledger's sealed segments, checkpoints, proofs and receipts to an S3
 * bucket with Object Lock retention and SHA-256 checksums. Idempotent: it lists the prefix first and
 * uploads only what is missing (or a grown receipt/proof, as a new version), so a re-run after a failure
 * resumes. It refuses, before uploading anything, a bucket without Object Lock and a bucket whose sealed
 * objects differ from the local ones.
 */

export interface PushOptions extends S3Settings {
  retentionDays: number
  mode: 'compliance' | 'governance'
  now?: Date
  /** Called before each upload (`done` of `total` objects to send), for a progress line. */
  onUpload?: (done: number, total: number) => void
}

export interface PushedObject {
  key: string
  kind: ObjectKind
  bytes: number
  status: 'uploaded' | 'present' | 'new-version'
}

export interface PushReport {
  bucket: string
  prefix: string
  mode: 'compliance' | 'governance'
  retain_until: string
  objects: PushedObject[]
  uploaded: number
  present: number
}

/** Pushes the ledger in `ledgerDir` to the bucket. */
export async function pushLedger(ledgerDir: string, options: PushOptions): Promise<PushReport> {
  const objects = await ledgerObjects(ledgerDir)
  if (objects.length === 0) {
    throw usageError(
      'S3_NOTHING_SEALED',
      `the ledger in ${ledgerDir} has no checkpoint, so nothing is sealed to push`,
      'Run goblin audit checkpoint first.',
    )
  }
  const where = `s3://${fullKey(options.bucket, options.prefix)}`
  const s3 = await import('@aws-sdk/client-s3')
  const client = await createS3Client(options)
  try {
    await requireObjectLock(client, s3, options.bucket, where)
    const existing = await listExisting(client, s3, options, where)
    const plan: { object: LedgerObject; status: PushedObject['status'] }[] = []
    for (const object of objects) {
      const remote = existing.get(object.key)
      if (!remote) plan.push({ object, status: 'uploaded' })
      else if (await sameContent(client, s3, options, object, remote, where))
        plan.push({ object, status: 'present' })
      else if (GROWING_KINDS.has(object.kind)) plan.push({ object, status: 'new-version' })
      else {
        throw new GoblinError(
          'S3_CONFLICT',
          `${where}/${object.key} differs from the local ${object.kind}: the log was rewritten here or in the bucket`,
          {
            hint: 'Run goblin audit verify, and goblin audit verify --source on the bucket, to see which is intact.',
          },
        )
      }
    }
    const retainUntil = new Date((options.now ?? new Date()).getTime() + options.retentionDays * 86_400_000)
    const toSend = plan.filter(({ status }) => status !== 'present')
    for (const [done, { object }] of toSend.entries()) {
      options.onUpload?.(done, toSend.length)
      const sha256 = createHash('sha256').update(object.body).digest()
      await client
        .send(
          new s3.PutObjectCommand({
            Bucket: options.bucket,
            Key: fullKey(options.prefix, object.key),
            Body: object.body,
            ContentType:
              object.kind === 'tile'
                ? 'application/octet-stream'
                : object.kind === 'receipt'
                  ? 'application/json'
                  : object.kind === 'proof'
                    ? 'application/vnd.opentimestamps.v1'
                    : 'text/plain; charset=utf-8',
            ChecksumAlgorithm: 'SHA256',
            ChecksumSHA256: sha256.toString('base64'),
            ObjectLockMode: options.mode === 'compliance' ? 'COMPLIANCE' : 'GOVERNANCE',
            ObjectLockRetainUntilDate: retainUntil,
            Metadata: { 'goblin-sha256': sha256.toString('hex') },
          }),
        )
        .catch((error: unknown) => {
          throw s3Error(error, `${where}/${object.key}`)
        })
    }
    const pushed = plan.map(({ object, status }) => ({
      key: object.key,
      kind: object.kind,
      bytes: object.body.length,
      status,
    }))
    return {
      bucket: options.bucket,
      prefix: options.prefix,
      mode: options.mode,
      retain_until: retainUntil.toISOString(),
      objects: pushed,
      uploaded: pushed.filter((p) => p.status !== 'present').length,
      present: pushed.filter((p) => p.status === 'present').length,
    }
  } finally {
    client.destroy()
  }
}

type S3Module = typeof import('@aws-sdk/client-s3')
type Client = Awaited<ReturnType<typeof createS3Client>>

/** Refuses a bucket whose Object Lock is not enabled (or a server without Object Lock). */
async function requireObjectLock(client: Client, s3: S3Module, bucket: string, where: string): Promise<void> {
  const noLock = (why: string) =>
    usageError(
      'S3_NO_OBJECT_LOCK',
      `${where}: bucket ${bucket} has no Object Lock (${why}); nothing was uploaded`,
      'Use a bucket created with Object Lock enabled (aws s3api create-bucket --object-lock-enabled-for-bucket), so pushed objects cannot be deleted or overwritten.',
    )
  try {
    const answer = await client.send(new s3.GetObjectLockConfigurationCommand({ Bucket: bucket }))
    if (answer.ObjectLockConfiguration?.ObjectLockEnabled !== 'Enabled') throw noLock('it is not enabled')
  } catch (error) {
    const name = (error as { name?: string }).name
    if (name === 'ObjectLockConfigurationNotFoundError') throw noLock('no Object Lock configuration')
    if (name === 'NotImplemented') throw noLock('the server does not implement Object Lock')
    throw s3Error(error, where)
  }
}

async function listExisting(client: Client, s3: S3Module, options: S3Settings, where: string) {
  const existing = new Map<string, { etag: string; size: number }>()
  const prefix = options.prefix ? `${options.prefix}/` : ''
  let token: string | undefined
  do {
    const page = await client
      .send(new s3.ListObjectsV2Command({ Bucket: options.bucket, Prefix: prefix, ContinuationToken: token }))
      .catch((error: unknown) => {
        throw s3Error(error, where)
      })
    for (const o of page.Contents ?? []) {
      if (o.Key)
        existing.set(o.Key.slice(prefix.length), {
          etag: (o.ETag ?? '').replaceAll('"', ''),
          size: o.Size ?? -1,
        })
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined
  } while (token)
  return existing
}

/** Same bytes: the ETag is the MD5 for a plain upload; otherwise the SHA-256 goblin stored in metadata. */
async function sameContent(
  client: Client,
  s3: S3Module,
  options: S3Settings,
  object: LedgerObject,
  remote: { etag: string; size: number },
  where: string,
): Promise<boolean> {
  if (remote.size !== object.body.length) return false
  if (remote.etag === createHash('md5').update(object.body).digest('hex')) return true
  const head = await client
    .send(new s3.HeadObjectCommand({ Bucket: options.bucket, Key: fullKey(options.prefix, object.key) }))
    .catch((error: unknown) => {
      throw s3Error(error, `${where}/${object.key}`)
    })
  return head.Metadata?.['goblin-sha256'] === createHash('sha256').update(object.body).digest('hex')
}
