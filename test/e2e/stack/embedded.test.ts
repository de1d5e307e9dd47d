import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { GOBLIN_BIN, parseJson, REPO_ROOT, runGoblin, tempDir } from '../../helpers/cli.js'

/** The `--json` documents of `stack up` and `stack status`, as far as these tests read them. */
interface UpDoc {
  runtime: string
  changed: boolean
  started: string[]
  alreadyRunning: string[]
  services: Array<{
    name: string
    state: string
    health: string
    pid: number
    ports: Array<{ name: string; host: number }>
  }>
  urls: Array<{ name: string; url: string }>
}
interface StatusDoc {
  runtimes: string[]
  services: Array<{ name: string; state: string; health: string; uptimeSeconds: number | null; pid?: number }>
}

const SLOW_START = join(REPO_ROOT, 'test/fixtures/stack/slow-collector-start.mjs')

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return true
  }
}

describe('goblin stack (embedded runtime)', () => {
  let home: ReturnType<typeof tempDir>
  let env: Record<string, string>
  const stateFile = () => join(home.path, 'stack/embedded.json')

  beforeEach(() => {
    home = tempDir('goblin-stack-e2e-')
    // DOCKER_HOST points at a socket that does not exist, so `auto` must choose the embedded runtime.
    env = { GOBLIN_HOME: home.path, DOCKER_HOST: `unix://${join(home.path, 'no-docker.sock')}` }
  })

  afterEach(async () => {
    await runGoblin(['stack', 'down'], { env })
    if (existsSync(stateFile())) {
      const { pid } = JSON.parse(readFileSync(stateFile(), 'utf8')) as { pid: number }
      if (alive(pid)) process.kill(pid, 'SIGKILL')
    }
    home.cleanup()
  }, 120_000)

  it('up (auto, no engine) starts one detached collector that answers /health; up again changes nothing', async () => {
    const first = await runGoblin(['stack', 'up', '--port', '0', '--json'], { env })
    expect(first.exitCode, first.stderr).toBe(0)
    const up = parseJson<UpDoc>(first)
    expect(up.runtime).toBe('embedded')
    expect(up.changed).toBe(true)
    expect(up.started).toEqual(['collector'])
    const service = up.services[0]
    if (!service) throw new Error('no service in the report')
    expect(service.health).toBe('healthy')
    const port = service.ports[0]?.host ?? 0
    expect(port).toBeGreaterThan(0)
    // The command has exited; the collector lives on as its own process.
    expect(alive(service.pid)).toBe(true)
    const health = await fetch(`http://127.0.0.1:${port}/health`)
    expect(health.status).toBe(200)
    expect(((await health.json()) as { service: string }).service).toBe('goblin-collector')
    expect(up.urls.map((u) => u.url)).toContain(`http://127.0.0.1:${port}/v1/traces`)
    // The console is served by that collector, and the URL stack up prints for it answers with the page.
    const consoleUrl = up.urls.find((u) => u.name === 'console')?.url
    expect(consoleUrl).toBe(`http://127.0.0.1:${port}/console/`)
    const page = await fetch(consoleUrl as string)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<title>goblin console</title>')
    const state = JSON.parse(readFileSync(stateFile(), 'utf8')) as {
      pid: number
      port: number
      logFile: string
    }
    expect(state).toMatchObject({ pid: service.pid, port })
    expect(state.logFile).toBe(join(home.path, 'stack/embedded.log'))

    const second = await runGoblin(['stack', 'up', '--port', '0', '--json'], { env })
    expect(second.exitCode, second.stderr).toBe(0)
    const again = parseJson<UpDoc>(second)
    expect(again.changed).toBe(false)
    expect(again.alreadyRunning).toEqual(['collector'])
    expect(again.services[0]?.pid).toBe(service.pid)
    expect(JSON.parse(readFileSync(stateFile(), 'utf8')).pid).toBe(service.pid)
  }, 120_000)

  it('up prints a summary with the URLs; status shows the collector; down stops it and says so', async () => {
    const up = await runGoblin(['stack', 'up', '--runtime', 'embedded', '--port', '0'], { env })
    expect(up.exitCode, up.stderr).toBe(0)
    expect(up.stdout).toContain('The stack is up (embedded runtime')
    expect(up.stdout).toMatch(/OTLP HTTP \(OTEL_EXPORTER_OTLP_ENDPOINT\)\s+http:\/\/127\.0\.0\.1:\d+/)
    expect(up.stdout).toMatch(/metrics\s+http:\/\/127\.0\.0\.1:\d+\/metrics/)
    expect(up.stderr).toContain('collector: healthy')

    const status = await runGoblin(['stack', 'status', '--json'], { env })
    expect(status.exitCode).toBe(0)
    const doc = parseJson<StatusDoc>(status)
    expect(doc.runtimes).toEqual(['embedded'])
    expect(doc.services[0]).toMatchObject({ name: 'collector', state: 'running', health: 'healthy' })
    expect(doc.services[0]?.uptimeSeconds).toBeGreaterThanOrEqual(0)
    const pid = doc.services[0]?.pid ?? 0

    const table = await runGoblin(['stack', 'status'], { env })
    expect(table.stdout).toMatch(/collector\s+embedded\s+running\s+healthy\s+otlp-http:\d+/)

    const down = await runGoblin(['stack', 'down'], { env })
    expect(down.exitCode, down.stderr).toBe(0)
    expect(down.stdout).toContain(`embedded collector (pid ${pid}, SIGTERM)`)
    expect(alive(pid)).toBe(false)
    expect(existsSync(stateFile())).toBe(false)
    // The collector flushed and logged its own shutdown before it exited.
    expect(readFileSync(join(home.path, 'stack/embedded.log'), 'utf8')).toContain('goblin collector: stopped')

    const after = await runGoblin(['stack', 'status'], { env })
    expect(after.exitCode).toBe(1)
    expect(after.stdout).toContain('The stack is not running')
    const again = await runGoblin(['stack', 'down', '--json'], { env })
    expect(parseJson<{ removed: string[] }>(again).removed).toEqual([])

    const volumes = await runGoblin(['stack', 'down', '--volumes'], { env })
    expect(volumes.stdout).toContain('log file')
    expect(existsSync(join(home.path, 'stack/embedded.log'))).toBe(false)
  }, 120_000)

  it('logs prints the collector log, honours --since and --tail, and --follow ends when the collector stops', async () => {
    expect((await runGoblin(['stack', 'up', '--runtime', 'embedded', '--port', '0'], { env })).exitCode).toBe(
      0,
    )
    const all = await runGoblin(['stack', 'logs', 'collector'], { env })
    expect(all.exitCode, all.stderr).toBe(0)
    expect(all.stdout).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/)
    const recent = await runGoblin(['stack', 'logs', 'collector', '--since', '10m', '--json'], { env })
    expect(parseJson<{ lines: string[] }>(recent).lines.some((l) => l.includes('listening on'))).toBe(true)
    const future = await runGoblin(
      ['stack', 'logs', 'collector', '--since', '2099-01-01T00:00:00Z', '--json'],
      {
        env,
      },
    )
    expect(parseJson<{ lines: string[] }>(future).lines).toEqual([])
    const last = await runGoblin(['stack', 'logs', 'collector', '--tail', '1', '--json'], { env })
    expect(parseJson<{ lines: string[] }>(last).lines).toHaveLength(1)

    const follower = execa(process.execPath, [GOBLIN_BIN, 'stack', 'logs', 'collector', '--follow'], {
      env: { NO_COLOR: '1', CI: 'true', ...env },
      reject: false,
      timeout: 30_000,
    })
    let seen = ''
    await new Promise<void>((resolve) => {
      follower.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString()
        if (seen.includes('listening on')) resolve()
      })
    })
    expect((await runGoblin(['stack', 'down'], { env })).exitCode).toBe(0)
    const ended = await follower
    expect(ended.exitCode).toBe(0)
    // Lines the collector wrote while stopping arrived through --follow.
    expect(String(ended.stdout)).toContain('goblin collector: stopped')
  }, 120_000)

  it('a port held by another process is reported with that process before anything starts', async () => {
    const server: Server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    try {
      const run = await runGoblin(['stack', 'up', '--runtime', 'embedded', '--port', String(port)], { env })
      expect(run.exitCode).toBe(1)
      expect(run.stderr).toContain(`otlp-http port ${port} (collector) is held by process ${process.pid}`)
      expect(run.stderr).toContain('nothing was started')
      expect(run.stderr).toContain('stack.ports')
      expect(existsSync(stateFile())).toBe(false)
    } finally {
      server.close()
    }
  }, 120_000)

  it('a collector that exits at start is reported with its last log lines, and leaves no pid file', async () => {
    // 192.0.2.1 (TEST-NET-1) is on no interface here, so the collector cannot bind it and exits.
    const run = await runGoblin(
      ['stack', 'up', '--runtime', 'embedded', '--host', '192.0.2.1', '--port', '0'],
      {
        env,
      },
    )
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toMatch(/the embedded collector exited with code \d+ before it answered/)
    expect(run.stderr).toContain('| Error: cannot listen on 192.0.2.1')
    expect(existsSync(stateFile())).toBe(false)
  }, 120_000)

  it('a collector that does not answer in time is stopped, with its log shown (slow-start stand-in)', async () => {
    const slow = { ...env, NODE_OPTIONS: `--import=${SLOW_START}`, GOBLIN_TEST_COLLECTOR_DELAY_MS: '60000' }
    const run = await runGoblin(['stack', 'up', '--runtime', 'embedded', '--port', '0', '--timeout', '2'], {
      env: slow,
    })
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain('did not answer')
    expect(run.stderr).toContain('within 2 s; it was stopped')
    expect(run.stderr).toContain('| ')
    const pid = Number(/waiting \(pid (\d+)\)/.exec(run.stderr)?.[1])
    expect(pid).toBeGreaterThan(0)
    expect(alive(pid)).toBe(false)
    expect(existsSync(stateFile())).toBe(false)
  }, 120_000)

  it('Ctrl-C while up waits stops the collector it started and leaves no pid file', async () => {
    const slow = { ...env, NODE_OPTIONS: `--import=${SLOW_START}`, GOBLIN_TEST_COLLECTOR_DELAY_MS: '60000' }
    const up = execa(process.execPath, [GOBLIN_BIN, 'stack', 'up', '--runtime', 'embedded', '--port', '0'], {
      env: { NO_COLOR: '1', CI: 'true', ...slow },
      reject: false,
      timeout: 30_000,
    })
    let stderr = ''
    const pid = await new Promise<number>((resolve) => {
      up.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
        const match = /waiting \(pid (\d+)\)/.exec(stderr)
        if (match) resolve(Number(match[1]))
      })
    })
    expect(alive(pid)).toBe(true)
    up.kill('SIGINT')
    const result = await up
    expect(result.exitCode).toBe(1)
    expect(String(result.stderr)).toContain('interrupted: the embedded collector was stopped again')
    expect(alive(pid)).toBe(false)
    expect(existsSync(stateFile())).toBe(false)
  }, 120_000)

  it('a stale pid file is reported by status and replaced by up', async () => {
    // The pid of a process that has exited: nothing answers to it any more.
    const gone = execa(process.execPath, ['-e', 'process.exit(0)'])
    const stalePid = gone.pid ?? 999_999
    await gone
    const { mkdirSync } = await import('node:fs')
    mkdirSync(join(home.path, 'stack'), { recursive: true })
    writeFileSync(
      stateFile(),
      JSON.stringify({
        pid: stalePid,
        host: '127.0.0.1',
        port: 1,
        startedAt: new Date().toISOString(),
        logFile: 'x',
      }),
    )
    const status = await runGoblin(['stack', 'status', '--json'], { env })
    expect(status.exitCode).toBe(1)
    expect(parseJson<StatusDoc>(status).services[0]).toMatchObject({ state: 'exited', health: 'none' })
    const up = await runGoblin(['stack', 'up', '--runtime', 'embedded', '--port', '0', '--json'], { env })
    expect(up.exitCode, up.stderr).toBe(0)
    const doc = parseJson<UpDoc>(up)
    expect(doc.changed).toBe(true)
    expect(doc.services[0]?.pid).not.toBe(stalePid)
  }, 120_000)

  it('bad input: an unknown service, a malformed --since, an unknown runtime exit 2', async () => {
    expect((await runGoblin(['stack', 'up', '--runtime', 'embedded', '--port', '0'], { env })).exitCode).toBe(
      0,
    )
    const unknown = await runGoblin(['stack', 'logs', 'grafana'], { env })
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stderr).toContain('no service named grafana')
    const since = await runGoblin(['stack', 'logs', 'collector', '--since', 'yesterday'], { env })
    expect(since.exitCode).toBe(2)
    expect(since.stderr).toContain('--since "yesterday"')
    const runtime = await runGoblin(['stack', 'up', '--runtime', 'kubernetes'], { env })
    expect(runtime.exitCode).toBe(2)
  }, 120_000)

  it('--runtime docker without an engine exits 3 with the fix', async () => {
    const run = await runGoblin(['stack', 'up', '--runtime', 'docker'], { env })
    expect(run.exitCode).toBe(3)
    expect(run.stderr).toContain('no Docker engine answers at unix://')
    expect(run.stderr).toContain('--runtime embedded')
    expect(existsSync(stateFile())).toBe(false)
  }, 120_000)
})
