import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
// s3rver ships no types; it is a real S3-compatible server (objects on disk, SigV4, ListObjectsV2, …).
// @ts-expect-error no declaration file
import S3rver from 's3rver'

/**
 * A real S3-compatible server for tests: s3rver (from npm) on 127.0.0.1, behind a small TEST PEER proxy
 * that adds what s3rver lacks and no installable server here offers: Object Lock. The proxy answers
 * `GET /<bucket>?object-lock` itself (Enabled for `lockedBuckets`, ObjectLockConfigurationNotFoundError for
 * the rest), refuses lock headers on an unlocked bucket and overwrites/deletes of a retained object (WORM),
 * checks `x-amz-checksum-sha256` against the body, records every request's method, key and headers so
 * tests can inspect the lock and checksum headers, and can fail the PUTs of one key to test resuming.
 * Everything else is forwarded to s3rver unchanged (signatures included).
 */
export interface RecordedRequest {
  method: string
  path: string
  query: string
  headers: IncomingHttpHeaders
}

export class S3TestServer {
  endpoint = ''
  requests: RecordedRequest[] = []
  /** While set, every PUT of a key ending in this fails with a 500 (the SDK's retries fail too). */
  failPutsOf: string | null = null
  private retained = new Map<string, number>()
  private s3rver: { run(): Promise<AddressInfo>; close(): Promise<void> }
  private backend = 0
  private proxy: Server
  private dir: string

  constructor(
    buckets: string[],
    readonly lockedBuckets: Set<string>,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'goblin-s3rver-'))
    this.s3rver = new S3rver({
      port: 0,
      address: '127.0.0.1',
      directory: this.dir,
      silent: true,
      configureBuckets: buckets.map((name) => ({ name })),
    })
    this.proxy = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const body = Buffer.concat(chunks)
        const url = new URL(req.url ?? '/', 'http://x')
        const [, bucket = '', ...rest] = url.pathname.split('/')
        const key = decodeURIComponent(rest.join('/'))
        this.requests.push({
          method: req.method ?? '',
          path: url.pathname,
          query: url.search,
          headers: req.headers,
        })
        const fail = (status: number, code: string, message: string) =>
          res
            .writeHead(status, { 'content-type': 'application/xml' })
            .end(
              `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
            )
        if (url.searchParams.has('object-lock') && !key) {
          if (!this.lockedBuckets.has(bucket)) {
            fail(
              404,
              'ObjectLockConfigurationNotFoundError',
              'Object Lock configuration does not exist for this bucket',
            )
            return
          }
          res
            .writeHead(200, { 'content-type': 'application/xml' })
            .end(
              '<?xml version="1.0" encoding="UTF-8"?><ObjectLockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>',
            )
          return
        }
        if (req.method === 'PUT' && key) {
          if (this.failPutsOf && key.endsWith(this.failPutsOf)) {
            fail(500, 'InternalError', 'injected failure')
            return
          }
          const lockMode = req.headers['x-amz-object-lock-mode']
          if (lockMode && !this.lockedBuckets.has(bucket)) {
            fail(400, 'InvalidRequest', 'Bucket is missing Object Lock Configuration')
            return
          }
          const checksum = req.headers['x-amz-checksum-sha256']
          if (checksum && checksum !== createHash('sha256').update(body).digest('base64')) {
            fail(400, 'BadDigest', 'The SHA256 you specified did not match the calculated checksum.')
            return
          }
          const until = Date.parse(String(req.headers['x-amz-object-lock-retain-until-date'] ?? ''))
          if (lockMode && Number.isFinite(until)) this.retained.set(`${bucket}/${key}`, until)
        }
        if (req.method === 'DELETE' && key && (this.retained.get(`${bucket}/${key}`) ?? 0) > Date.now()) {
          fail(403, 'AccessDenied', 'Access Denied because object protected by object lock.')
          return
        }
        const upstream = request(
          { host: '127.0.0.1', port: this.backend, method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers)
            answer.pipe(res)
          },
        )
        upstream.on('error', () => fail(502, 'BadGateway', 'backend down'))
        upstream.end(body)
      })
    })
  }

  async start(): Promise<this> {
    this.backend = (await this.s3rver.run()).port
    await new Promise<void>((resolve) => this.proxy.listen(0, '127.0.0.1', resolve))
    this.endpoint = `http://127.0.0.1:${(this.proxy.address() as AddressInfo).port}`
    return this
  }

  async stop(): Promise<void> {
    this.proxy.closeAllConnections()
    await new Promise<void>((resolve) => this.proxy.close(() => resolve()))
    await this.s3rver.close()
    rmSync(this.dir, { recursive: true, force: true })
  }

  /** PUT requests of objects (not bucket configuration) seen so far. */
  objectPuts(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'PUT' && r.path.split('/').length > 2)
  }
}

/** Environment for the SDK's standard credential chain, as s3rver expects (its fixed test key pair). */
export const S3RVER_ENV = {
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
}
