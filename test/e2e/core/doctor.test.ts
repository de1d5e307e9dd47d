import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseJson, runGoblin, tempDir } from '../../helpers/cli.js'

interface DoctorJson {
  checks: Array<{ id: string; title: string; status: string; detail: string; fix?: string }>
  summary: { ok: number; warn: number; fail: number; skip: number }
}

const home = tempDir()
const project = tempDir('goblin-project-')
let otlp: Server
let otlpUrl: string
const received: Array<{ url?: string; contentType?: string; body: string }> = []

beforeAll(async () => {
  // A real OTLP/HTTP-speaking listener: accepts an export and answers as a collector would.
  otlp = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => {
      body += chunk
    })
    req.on('end', () => {
      received.push({ url: req.url, contentType: req.headers['content-type'], body })
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => otlp.listen(0, '127.0.0.1', resolve))
  otlpUrl = `http://127.0.0.1:${(otlp.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => otlp.close(resolve))
  home.cleanup()
  project.cleanup()
})

const env = () => ({ GOBLIN_HOME: home.path })

describe('goblin doctor', () => {
  it('prints one JSON document with every built-in check and a summary that adds up', async () => {
    const run = await runGoblin(['doctor', '--json'], { env: env(), cwd: project.path })
    const report = parseJson<DoctorJson>(run)
    const ids = report.checks.map((c) => c.id)
    expect(ids).toEqual(
      expect.arrayContaining([
        'node',
        'goblin-home',
        'config',
        'docker',
        'ports',
        'signing-key',
        'otlp',
        'helm',
        'kubectl',
        'disk',
      ]),
    )
    const { ok, warn, fail, skip } = report.summary
    expect(ok + warn + fail + skip).toBe(report.checks.length)
    expect(run.exitCode).toBe(fail > 0 ? 1 : 0)
    expect(report.checks.find((c) => c.id === 'otlp')?.status).toBe('skip')
  })

  it('reaches a real OTLP endpoint when OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
    const run = await runGoblin(['doctor', '--only', 'otlp', '--json'], {
      env: { ...env(), OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl },
      cwd: project.path,
    })
    expect(run.exitCode).toBe(0)
    const report = parseJson<DoctorJson>(run)
    expect(report.checks).toHaveLength(1)
    expect(report.checks[0]).toMatchObject({ id: 'otlp', status: 'ok' })
    expect(received.at(-1)).toMatchObject({ url: '/v1/traces', contentType: 'application/json' })
  })

  it('fails with exit 1 and a fix when the OTLP endpoint does not answer', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const run = await runGoblin(['doctor', '--only', 'otlp'], {
      env: { ...env(), OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
      cwd: project.path,
    })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/FAIL\s+otlp\s+http:\/\/127\.0\.0\.1:\d+ unreachable \(ECONNREFUSED\)/)
    expect(run.stdout).toContain('otlp: Start a collector there')
    expect(run.stdout).toMatch(/0 ok, 0 warn, 1 fail, 0 skipped/)
  })

  it('fails a malformed OTLP endpoint URL', async () => {
    const run = await runGoblin(['doctor', '--only', 'otlp', '--json'], {
      env: { ...env(), OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' },
      cwd: project.path,
    })
    expect(run.exitCode).toBe(1)
    expect(parseJson<DoctorJson>(run).checks[0]?.detail).toContain('is not an http(s) URL')
  })

  it('reports a malformed goblin.config.json as a failed check naming file and line', async () => {
    const bad = tempDir('goblin-bad-project-')
    writeFileSync(join(bad.path, 'goblin.config.json'), '{\n  "collector": { "port": 99999 }\n}\n')
    const run = await runGoblin(['doctor', '--json', '--only', 'config', '--only', 'ports'], {
      env: env(),
      cwd: bad.path,
    })
    bad.cleanup()
    expect(run.exitCode).toBe(1)
    const report = parseJson<DoctorJson>(run)
    expect(report.checks.find((c) => c.id === 'config')).toMatchObject({ status: 'fail' })
    expect(report.checks.find((c) => c.id === 'config')?.detail).toMatch(
      /goblin\.config\.json:2:\d+: collector\.port/,
    )
    expect(report.checks.find((c) => c.id === 'ports')?.status).toBe('skip')
  })

  it('fails a private signing key that others can read', async () => {
    const keyHome = tempDir()
    mkdirSync(join(keyHome.path, 'keys'))
    writeFileSync(join(keyHome.path, 'keys', 'ci.key'), 'x')
    chmodSync(join(keyHome.path, 'keys', 'ci.key'), 0o644)
    const loose = await runGoblin(['doctor', '--only', 'signing-key', '--json'], {
      env: { GOBLIN_HOME: keyHome.path },
    })
    chmodSync(join(keyHome.path, 'keys', 'ci.key'), 0o600)
    const tight = await runGoblin(['doctor', '--only', 'signing-key', '--json'], {
      env: { GOBLIN_HOME: keyHome.path },
    })
    keyHome.cleanup()
    expect(loose.exitCode).toBe(1)
    expect(parseJson<DoctorJson>(loose).checks[0]?.detail).toContain('ci.key (mode 644)')
    expect(tight.exitCode).toBe(0)
    expect(parseJson<DoctorJson>(tight).checks[0]?.status).toBe('ok')
  })

  it('reports no Docker engine as a warning, not a failure', async () => {
    const run = await runGoblin(['doctor', '--only', 'docker', '--json'], {
      env: { ...env(), DOCKER_HOST: `unix://${join(home.path, 'no-such.sock')}` },
    })
    expect(run.exitCode).toBe(0)
    expect(parseJson<DoctorJson>(run).checks[0]).toMatchObject({ status: 'warn' })
  })

  it('rejects an unknown check id with exit 2 and lists the known ones', async () => {
    const run = await runGoblin(['doctor', '--only', 'nope'], { env: env() })
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('Error: unknown check id: nope')
    expect(run.stderr).toMatch(/Hint: Known checks: node, goblin-home/)
    expect(run.stdout).toBe('')
  })
})

describe('CLI conventions', () => {
  it('rejects an unknown flag with exit 2, as one JSON error document under --json', async () => {
    const run = await runGoblin(['doctor', '--bogus', '--json'], { env: env() })
    expect(run.exitCode).toBe(2)
    expect(parseJson(run)).toEqual({
      error: expect.objectContaining({ code: 'USAGE', message: 'Nonexistent flag: --bogus', exit: 2 }),
    })
  })

  it('prints the error and hint on stderr for people, and no stack trace unless DEBUG names goblin', async () => {
    const plain = await runGoblin(['doctor', '--bogus'], { env: env() })
    expect(plain.stderr).toContain('Error: Nonexistent flag: --bogus')
    expect(plain.stderr).not.toMatch(/\n\s+at /)
    const debug = await runGoblin(['doctor', '--bogus'], { env: { ...env(), DEBUG: 'goblin*' } })
    expect(debug.stderr).toMatch(/\n\s+at /)
  })

  it("prints the version without loading oclif, in oclif's format", async () => {
    const run = await runGoblin(['--version'])
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(/^@goblinos\/cli\/\d+\.\d+\.\d+ linux-x64 node-v\d+/)
  })

  it('writes no colour codes under NO_COLOR', async () => {
    const run = await runGoblin(['doctor', '--only', 'node'], {
      env: { ...env(), NO_COLOR: '1', FORCE_COLOR: '1' },
    })
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for ANSI escapes
    expect(run.stdout).not.toMatch(/\u001B\[/)
    expect(run.stdout).toMatch(/OK\s+node\s+v\d+/)
  })
})
