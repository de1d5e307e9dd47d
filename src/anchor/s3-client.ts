import type { S3Client } from '@aws-sdk/client-s3'
import { GoblinError, unreachableError, usageError } from '../core/errors.js'

/**
 * The S3 client (@aws-sdk/client-s3, imported lazily) and the mapping of its errors to goblin's.
 * Credentials come from the SDK's standard chain (env, shared config/credentials files, SSO, IMDS…);
 * goblin never reads, stores or prints them.
 */

export interface S3Settings {
  bucket: string
  prefix: string
  /** An S3-compatible endpoint (MinIO, Ceph, …); path-style addressing is used with it. */
  endpoint?: string
  region?: string
}

/** Parses `s3://BUCKET/PREFIX` (prefix optional). */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url)
  if (!match) throw usageError('S3_URL_INVALID', `${url} is not an s3://BUCKET/PREFIX URL`)
  return { bucket: match[1] as string, prefix: (match[2] as string).replace(/\/+$/, '') }
}

/** The full key of an object under the prefix. */
export function fullKey(prefix: string, key: string): string {
  return prefix ? `${prefix}/${key}` : key
}

/** Creates the client; the region defaults to AWS_REGION / AWS_DEFAULT_REGION, else us-east-1. */
export async function createS3Client(settings: Omit<S3Settings, 'bucket' | 'prefix'>): Promise<S3Client> {
  const { S3Client } = await import('@aws-sdk/client-s3')
  return new S3Client({
    region: settings.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 5000, requestTimeout: 120_000 },
  })
}

/** Maps an SDK error to a GoblinError: unreachable endpoint exit 3; no credentials, refused access, missing bucket exit 2. */
export function s3Error(error: unknown, where: string): GoblinError {
  if (error instanceof GoblinError) return error
  const e = error as {
    name?: string
    code?: string
    message?: string
    $metadata?: { httpStatusCode?: number }
  }
  const name = e.name ?? 'Error'
  const message = e.message ?? String(error)
  // First: a credentials chain that gave up (its last try may have been a timed-out metadata service).
  if (name === 'CredentialsProviderError') {
    return usageError(
      'S3_NO_CREDENTIALS',
      `${where}: no AWS credentials were found`,
      'Set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where an instance or task role applies.',
    )
  }
  if (
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|socket hang up|TimeoutError/.test(
      `${name} ${e.code} ${message}`,
    )
  ) {
    return unreachableError(
      'S3_UNREACHABLE',
      `${where}: the S3 endpoint is unreachable (${name}: ${message})`,
      'Check --endpoint / anchor.s3.endpoint and the network, then run the same command again: it resumes.',
      error,
    )
  }
  if (name === 'NoSuchBucket') {
    return usageError(
      'S3_NO_BUCKET',
      `${where}: the bucket does not exist`,
      'Create it with Object Lock enabled.',
    )
  }
  if (name === 'AccessDenied' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch') {
    return usageError(
      'S3_ACCESS',
      `${where}: access denied (${name})`,
      'Check the AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or the instance role) and the bucket policy.',
    )
  }
  return new GoblinError('S3_ERROR', `${where}: ${name}: ${message}`, {
    exit: (e.$metadata?.httpStatusCode ?? 0) >= 500 ? 3 : 1,
    cause: error,
  })
}
