import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createS3Client, fullKey, parseS3Url, type S3Settings, s3Error } from './s3-client.js'
import { objectKind, restoreLedger } from './s3-layout.js'

/**
 * `goblin audit verify --source s3://B/P`: downloads what `goblin audit push` stored (checksums validated
 * by the SDK where the server returns them) into a temporary ledger directory that verification then reads
 * like a local one. The caller removes it with `cleanup`.
 */
export async function openBucketLedger(
  source: string,
  settings: Omit<S3Settings, 'bucket' | 'prefix'>,
): Promise<{ ledgerDir: string; objects: number; cleanup: () => void }> {
  const { bucket, prefix } = parseS3Url(source)
  const s3 = await import('@aws-sdk/client-s3')
  const client = await createS3Client(settings)
  const ledgerDir = mkdtempSync(join(tmpdir(), 'goblin-bucket-'))
  const cleanup = () => rmSync(ledgerDir, { recursive: true, force: true })
  try {
    const listPrefix = prefix ? `${prefix}/` : ''
    const keys: string[] = []
    let token: string | undefined
    do {
      const page = await client.send(
        new s3.ListObjectsV2Command({ Bucket: bucket, Prefix: listPrefix, ContinuationToken: token }),
      )
      for (const o of page.Contents ?? [])
        if (o.Key && objectKind(o.Key.slice(listPrefix.length))) keys.push(o.Key)
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
    const objects = await Promise.all(
      keys.map(async (key) => {
        const answer = await client.send(
          new s3.GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }),
        )
        return {
          key: key.slice(listPrefix.length),
          body: Buffer.from((await answer.Body?.transformToByteArray()) ?? []),
        }
      }),
    )
    restoreLedger(objects, ledgerDir, source)
    return { ledgerDir, objects: objects.length, cleanup }
  } catch (error) {
    cleanup()
    throw s3Error(error, `s3://${fullKey(bucket, prefix)}`)
  } finally {
    client.destroy()
  }
}

/**
 * Reads single objects of what `goblin audit push` stored, as a tile client reads a tile server (for
 * `goblin audit verify --source s3://… --index N`): null for a key the bucket does not have.
 */
export async function s3TileFetch(
  source: string,
  settings: Omit<S3Settings, 'bucket' | 'prefix'>,
  counter: { requests: number; bytes: number },
): Promise<{ fetch: (path: string) => Promise<Buffer | null>; close: () => void }> {
  const { bucket, prefix } = parseS3Url(source)
  const s3 = await import('@aws-sdk/client-s3')
  const client = await createS3Client(settings)
  const fetchObject = async (path: string) => {
    const key = fullKey(prefix, path)
    try {
      const answer = await client.send(
        new s3.GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }),
      )
      const bytes = Buffer.from((await answer.Body?.transformToByteArray()) ?? [])
      counter.requests++
      counter.bytes += bytes.length
      return bytes
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return null
      throw s3Error(error, `s3://${fullKey(bucket, key)}`)
    }
  }
  return { fetch: fetchObject, close: () => client.destroy() }
}
