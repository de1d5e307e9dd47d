import { chmodSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createServer as createNetServer } from 'node:net'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ExitCode, GoblinError } from '../../../src/core/errors.js'
import { auditEmitter } from '../../../src/telemetry/audit-emitter.js'
import { tempDir } from '../../helpers/cli.js'
import { closeServer, listenOnLoopback } from '../../helpers/loopback.js'

/**
 * How auditEmitter talks to a collector that is busy, refusing, behind an API-key gateway or absent. The
 * collector here is a scripted OTLP peer: a real HTTP server on 127.0.0.1 that answers each request with
 * the next answer of its script (then 200 `{}`), which goblin's collector cannot be made to do on demand.
 * goblin's own collector is in test/integration/anchor/audit-aggregator.test.ts and the Python suite.
 */

// RFC 8032 TEST 1, as in test/fixtures/audit/jcs-vectors.json.
const SIGNER_KEY = 'PRIVATE+KEY+rfc8032-test1+eb2fcf50+AZ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g'
const QUICK = { attempts: 4, backoffMs: 10, maxDelayMs: 5000, timeoutMs: 5000 }

interface Answer {
  status: number
  headers?: Record<string, string>
  body?: string
}
interface Received {
  headers: Record<string, string | string[] | undefined>
  body: string
}

const servers: Server[] = []
afterEach(async () => {
  vi.unstubAllEnvs()
  for (const server of servers.splice(0)) await closeServer(server)
})

async function scriptedPeer(...script: Answer[]): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      const answer = script.shift() ?? { status: 200 }
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
      res.end(answer.body ?? '{}')
    })
  })
  servers.push(server)
  return { url: await listenOnLoopback(server), received }
}

async function rejection(promise: Promise<unknown>): Promise<GoblinError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(GoblinError)
  return error as GoblinError
}

describe('auditEmitter over OTLP/HTTP', () => {
  it('sends one goblin.audit log record with OTEL_EXPORTER_OTLP_HEADERS and the logs-specific headers', async () => {
    const peer = await scriptedPeer()
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', peer.url)
    vi.stubEnv('OTEL_EXPORTER_OTLP_HEADERS', 'api-key=s3cr3t,x-tenant=general')
    vi.stubEnv('OTEL_EXPORTER_OTLP_LOGS_HEADERS', 'x-tenant=audit')
    const emitter = auditEmitter({ goblinId: 'refunds', signerKey: SIGNER_KEY })
    const envelope = await emitter.emit({
      action: 'refund.approve',
      decision: 'allow',
      attrs: { amount_eur: 30 },
    })
    const [request] = peer.received
    expect(request?.headers['api-key']).toBe('s3cr3t')
    expect(request?.headers['x-tenant']).toBe('audit')
    expect(request?.headers['content-type']).toBe('application/json')
    const record = JSON.parse(request?.body ?? '').resourceLogs[0].scopeLogs[0].logRecords[0]
    expect(record.eventName).toBe('goblin.audit')
    // The body is the envelope's ledger line: canonical JSON, the same bytes the Python emitter sends.
    expect(record.body.stringValue).toBe(
      `{"action":"refund.approve","attrs":{"amount_eur":30},"decision":"allow","goblin_id":"refunds","kid":"rfc8032-test1+eb2fcf50","seq":0,"sig":"${envelope.sig}","trace_id":null,"ts":"${envelope.ts}","v":1}`,
    )
    expect(record.timeUnixNano).toBe(`${Date.parse(envelope.ts)}000000`)
  })

  it('retries a busy collector after its Retry-After (seconds, or an HTTP date), sending the same request', async () => {
    const peer = await scriptedPeer(
      {
        status: 503,
        headers: { 'retry-after': '0' },
        body: '{"code":14,"message":"the collector is stopping"}',
      },
      { status: 429, headers: { 'retry-after': new Date(Date.now() - 60_000).toUTCString() } },
    )
    vi.stubEnv('OTEL_EXPORTER_OTLP_HEADERS', 'api-key=k')
    const emitter = auditEmitter({ goblinId: 'g', signerKey: SIGNER_KEY, endpoint: peer.url, retry: QUICK })
    await emitter.emit({ action: 'tool.call', decision: 'allow' })
    expect(peer.received).toHaveLength(3)
    expect(new Set(peer.received.map((r) => r.body)).size).toBe(1)
    expect(peer.received.every((r) => r.headers['api-key'] === 'k')).toBe(true)
  })

  it('gives up after the bounded number of attempts (exit 3)', async () => {
    const peer = await scriptedPeer(...Array.from({ length: 10 }, () => ({ status: 429 })))
    const emitter = auditEmitter({ goblinId: 'g', signerKey: SIGNER_KEY, endpoint: peer.url, retry: QUICK })
    const error = await rejection(emitter.emit({ action: 'tool.call', decision: 'allow' }))
    expect(error.code).toBe('AUDIT_COLLECTOR_UNAVAILABLE')
    expect(error.exit).toBe(ExitCode.unreachable)
    expect(error.message).toContain('after 4 attempt(s); last: HTTP 429')
    expect(peer.received).toHaveLength(4)
  })

  it('gives up at once when Retry-After asks for longer than it waits', async () => {
    const peer = await scriptedPeer({ status: 503, headers: { 'retry-after': '3600' } })
    const emitter = auditEmitter({ goblinId: 'g', signerKey: SIGNER_KEY, endpoint: peer.url, retry: QUICK })
    const error = await rejection(emitter.emit({ action: 'tool.call', decision: 'allow' }))
    expect(error.message).toContain('asks to wait 3600 s, longer than the 5 s this emitter waits')
    expect(peer.received).toHaveLength(1)
  })

  it.each([
    [
      { status: 401, body: '{"code":16,"message":"missing API key"}' },
      'answered HTTP 401: missing API key',
      'OTEL_EXPORTER_OTLP_HEADERS',
    ],
    [{ status: 400, body: 'bad request\nmore' }, 'answered HTTP 400: bad request', "goblin's collector"],
    [
      {
        status: 200,
        body: '{"partialSuccess":{"rejectedLogRecords":"1","errorMessage":"key k+1 is not trusted"}}',
      },
      'the collector refused the envelope: key k+1 is not trusted',
      '--audit-trust',
    ],
    [{ status: 200, body: '<html>welcome</html>' }, 'not an OTLP logs response', "goblin's collector"],
  ])('does not retry a refusal (%j)', async (answer, message, hint) => {
    const peer = await scriptedPeer(answer)
    const emitter = auditEmitter({ goblinId: 'g', signerKey: SIGNER_KEY, endpoint: peer.url, retry: QUICK })
    const error = await rejection(emitter.emit({ action: 'tool.call', decision: 'allow' }))
    expect(error.code).toBe('AUDIT_ENVELOPE_REFUSED')
    expect(error.exit).toBe(ExitCode.notOk)
    expect(error.message).toContain(message)
    expect(error.hint).toContain(hint)
    expect(peer.received).toHaveLength(1)
  })

  it('with the collector down: a bounded retry, then an error naming the URL', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createNetServer()
    const url = await new Promise<string>((resolve) =>
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number }
        probe.close(() => resolve(`http://127.0.0.1:${port}`))
      }),
    )
    const emitter = auditEmitter({ goblinId: 'g', signerKey: SIGNER_KEY, endpoint: url, retry: QUICK })
    const error = await rejection(emitter.emit({ action: 'tool.call', decision: 'allow' }))
    expect(error.message).toBe(
      `the collector at ${url}/v1/logs did not take the envelope after 4 attempt(s); last: no answer (connection refused)`,
    )
    expect(error.hint).toContain('goblin collector serve --audit')
  })

  it('refuses an event the collector would refuse, before sending anything', async () => {
    const peer = await scriptedPeer()
    const emitter = auditEmitter({ goblinId: 'g', signerKey: SIGNER_KEY, endpoint: peer.url })
    await expect(emitter.emit({ action: '', decision: 'allow' })).rejects.toThrow('missing field "action"')
    await expect(emitter.emit({ action: 'a', decision: 'allow', traceId: 'ABC' })).rejects.toThrow(
      'trace_id must be 32 lowercase hex digits',
    )
    expect(peer.received).toHaveLength(0)
    expect((await emitter.emit({ action: 'a', decision: 'allow' })).seq).toBe(0)
    const restarted = auditEmitter({ goblinId: 'g', signerKey: SIGNER_KEY, endpoint: peer.url, firstSeq: 7 })
    expect((await restarted.emit({ action: 'a', decision: 'allow' })).seq).toBe(7)
    expect(() => auditEmitter({ goblinId: 'g', signerKey: SIGNER_KEY, firstSeq: -1 })).toThrow('firstSeq -1')
  })

  it('refuses a key file others can read, and bad retry options', () => {
    const dir = tempDir()
    try {
      const path = join(dir.path, 'service.key')
      writeFileSync(path, `${SIGNER_KEY}\n`)
      chmodSync(path, 0o644)
      expect(() => auditEmitter({ goblinId: 'g', keyFile: path })).toThrow(
        `the key file ${path} has mode 0644: others can read it`,
      )
      const link = join(dir.path, 'link.key')
      symlinkSync(path, link)
      expect(() => auditEmitter({ goblinId: 'g', keyFile: link })).toThrow('is a symbolic link')
      chmodSync(path, 0o600)
      expect(() => auditEmitter({ goblinId: 'g', keyFile: path, retry: { attempts: 0 } })).toThrow(
        'retry.attempts 0: give 1 or more attempts',
      )
      expect(() => auditEmitter({ goblinId: 'g', keyFile: path, retry: { timeoutMs: 0 } })).toThrow(
        'retry.timeoutMs 0',
      )
      expect(() => auditEmitter({ goblinId: 'g', keyFile: join(dir.path, 'missing.key') })).toThrow(
        /cannot read the key file .*missing\.key \(ENOENT\)/,
      )
    } finally {
      dir.cleanup()
    }
  })
})
