import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { GOBLIN_BIN, parseJson, REPO_ROOT, runGoblin, tempDir } from '../../helpers/cli.js'

/**
 * `goblin stack` against a real Docker Engine API: Podman's (`podman system service`), started by this
 * file with test/support/podman-up.sh, pulling from a real local registry (Debian's docker-registry).
 * Prometheus is Debian's real binary; the collector, Tempo, Loki and Grafana are STAND-INS (busybox httpd
 * answering their health paths), because their real images cannot be built without a public registry.
 * See test/support/stand-in-images.sh.
 */

interface UpDoc {
  runtime: string
  changed: boolean
  started: string[]
  alreadyRunning: string[]
  services: Array<{
    name: string
    state: string
    health: string
    ports: Array<{ name: string; host: number }>
    image: string
  }>
  urls: Array<{ name: string; url: string }>
}

const SUPPORT = join(REPO_ROOT, 'test/support')
const SERVICES = ['grafana', 'loki', 'otel-collector', 'prometheus', 'tempo']
const PORT_NAMES = ['grafana', 'loki', 'otlp-grpc', 'otlp-http', 'prometheus', 'tempo']

let engineDir: string
let engineEnv: Record<string, string> = {}
let images: string[] = []

/** Ports nothing listens on now: bound to 0 and released. */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = []
  for (let i = 0; i < count; i++) {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    servers.push(server)
  }
  const ports = servers.map((s) => (s.address() as { port: number }).port)
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  return ports
}

beforeAll(async () => {
  engineDir = mkdtempSync(join(tmpdir(), 'goblin-podman-'))
  const up = await execa(join(SUPPORT, 'podman-up.sh'), [engineDir], { reject: false })
  if (up.exitCode !== 0) throw new Error(`podman-up.sh failed:\n${up.stderr}`)
  engineEnv = Object.fromEntries(
    String(up.stdout)
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  )
  const registry = engineEnv.GOBLIN_TEST_REGISTRY ?? ''
  const built = await execa(join(SUPPORT, 'stand-in-images.sh'), [engineDir, registry], { reject: false })
  if (built.exitCode !== 0) throw new Error(`stand-in-images.sh failed:\n${built.stderr}`)
  const repo = `${registry}/goblin-test`
  images = [
    `otel-collector=${repo}/stand-in-otel-collector:1`,
    `tempo=${repo}/stand-in-tempo:1`,
    `loki=${repo}/stand-in-loki:1`,
    `grafana=${repo}/stand-in-grafana:1`,
    `prometheus=${repo}/prometheus:debian`,
  ]
}, 240_000)

afterAll(async () => {
  if (engineDir) await execa(join(SUPPORT, 'podman-down.sh'), [engineDir], { reject: false })
}, 120_000)

describe("goblin stack (docker runtime, Podman's Engine API)", () => {
  let home: ReturnType<typeof tempDir>
  let project: ReturnType<typeof tempDir>
  let env: Record<string, string>
  let ports: Record<string, number>

  const imageFlags = (overrides: Record<string, string> = {}) =>
    images.flatMap((flag) => {
      const service = flag.slice(0, flag.indexOf('='))
      return ['--image', overrides[service] ? `${service}=${overrides[service]}` : flag]
    })
  const goblin = (args: string[], timeout = 120_000) => runGoblin(args, { env, cwd: project.path, timeout })
  const podman = (args: string[]) => execa('podman', args, { env: engineEnv, reject: false })
  const ourContainers = async () =>
    String(
      (await podman(['ps', '-a', '--filter', 'label=dev.goblin.managed=true', '--format', '{{.Names}}']))
        .stdout,
    )
      .split('\n')
      .filter(Boolean)
      .sort()

  beforeEach(async () => {
    home = tempDir('goblin-stack-docker-')
    project = tempDir('goblin-stack-project-')
    const free = await freePorts(PORT_NAMES.length)
    ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, free[i] ?? 0]))
    writeFileSync(join(project.path, 'goblin.config.json'), JSON.stringify({ stack: { ports } }))
    env = { GOBLIN_HOME: home.path, DOCKER_HOST: engineEnv.DOCKER_HOST ?? '' }
  })

  afterEach(async () => {
    await goblin(['stack', 'down', '--volumes', '--runtime', 'docker'])
    home.cleanup()
    project.cleanup()
  }, 120_000)

  it('up pulls, starts in order and waits for health; up again changes nothing; status, logs, down', async () => {
    const up = await goblin(['stack', 'up', ...imageFlags()])
    expect(up.exitCode, up.stderr).toBe(0)
    // auto chose docker because an engine answers at DOCKER_HOST; images came through the registry.
    expect(up.stdout).toContain('The stack is up (docker runtime; auto: a Docker engine answers at unix://')
    for (const flag of images) expect(up.stderr).toContain(`${flag.slice(flag.indexOf('=') + 1)}: pulled`)
    // Backends turn healthy before the collector and Grafana are created.
    const order = (line: string) => up.stderr.indexOf(line)
    for (const backend of ['tempo', 'loki', 'prometheus']) {
      expect(order(`${backend}: healthy`)).toBeLessThan(order('otel-collector: creating'))
      expect(order(`${backend}: healthy`)).toBeLessThan(order('grafana: creating'))
    }
    expect(up.stdout).toContain(`Grafana                                  http://127.0.0.1:${ports.grafana}`)
    expect(up.stdout).toContain(
      `OTLP HTTP (OTEL_EXPORTER_OTLP_ENDPOINT)  http://127.0.0.1:${ports['otlp-http']}`,
    )
    expect(await ourContainers()).toEqual(SERVICES.map((s) => `goblin-${s}`))
    // It ends with the line to copy, naming the stack's published OTLP/HTTP port.
    expect(up.stdout.trimEnd().split('\n').at(-1)).toBe(
      `export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:${ports['otlp-http']}`,
    )
    // Trace commands now follow the stack to its Tempo. The stand-in Tempo answers only its health path, so
    // the search fails, naming the Tempo it went to.
    const traces = await goblin(['trace', 'list', '--json'])
    expect(traces.exitCode).toBe(3)
    expect(parseJson<{ error: { message: string } }>(traces).error.message).toContain(
      `http://127.0.0.1:${ports.tempo}`,
    )
    expect(existsSync(join(home.path, 'stack', 'docker.json'))).toBe(true)

    const again = await goblin(['stack', 'up', '--json', ...imageFlags()])
    expect(again.exitCode, again.stderr).toBe(0)
    const doc = parseJson<UpDoc>(again)
    expect(doc.changed).toBe(false)
    expect(doc.started).toEqual([])
    expect(doc.alreadyRunning.sort()).toEqual(SERVICES)

    const status = await goblin(['stack', 'status', '--json'])
    expect(status.exitCode, status.stderr).toBe(0)
    const services = parseJson<{ services: UpDoc['services'] }>(status).services
    expect(services.map((s) => [s.name, s.state, s.health])).toEqual(
      SERVICES.map((s) => [s, 'running', 'healthy']),
    )
    expect(services.find((s) => s.name === 'otel-collector')?.ports.map((p) => [p.name, p.host])).toEqual(
      [
        ['otlp-grpc', ports['otlp-grpc']],
        ['otlp-http', ports['otlp-http']],
      ].sort((a, b) => Number(a[1]) - Number(b[1])),
    )
    // Real Prometheus answers on its published port with goblin's prometheus.yml loaded. Ready comes before
    // its first service-discovery sync, so the scrape targets may take a few seconds to appear.
    const targets = await activeScrapeJobs(Number(ports.prometheus))
    expect(targets).toEqual(['grafana', 'loki', 'otel-collector', 'prometheus', 'tempo'])

    const grafanaLogs = await goblin(['stack', 'logs', 'grafana'])
    expect(grafanaLogs.exitCode, grafanaLogs.stderr).toBe(0)
    // The stand-in prints what goblin gave it: env, the mounted dashboards and datasources.
    expect(grafanaLogs.stdout).toContain('GF_AUTH_ANONYMOUS_ENABLED=true')
    expect(grafanaLogs.stdout).toContain(
      'dashboards: audit-anchor-health.json goblin-activity.json model-cost.json service-map.json',
    )
    const collectorLogs = await goblin(['stack', 'logs', 'otel-collector', '--since', '10m', '--json'])
    expect(parseJson<{ lines: string[] }>(collectorLogs).lines).toContain(
      "config /etc/otelcol-contrib/config.yaml: # goblin's OpenTelemetry Collector (contrib) for the local stack.",
    )
    const prometheusLogs = await goblin(['stack', 'logs', 'prometheus', '--tail', '2', '--json'])
    expect(parseJson<{ lines: string[] }>(prometheusLogs).lines).toHaveLength(2)
    const unknown = await goblin(['stack', 'logs', 'jaeger', '--runtime', 'docker'])
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stderr).toContain('no service named jaeger')

    // --follow prints lines as the container writes them (the stand-in logs each request) and ends
    // when the container stops.
    const follower = execa(process.execPath, [GOBLIN_BIN, 'stack', 'logs', 'grafana', '--follow'], {
      env: { NO_COLOR: '1', CI: 'true', ...env },
      cwd: project.path,
      reject: false,
      timeout: 60_000,
    })
    let followed = ''
    follower.stdout?.on('data', (chunk: Buffer) => {
      followed += chunk.toString()
    })
    for (let i = 0; i < 100 && !followed.includes('response:200'); i++) {
      await fetch(`http://127.0.0.1:${ports.grafana}/api/health`).catch(() => {})
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    expect(followed).toContain('response:200')

    const down = await goblin(['stack', 'down'])
    expect(down.exitCode, down.stderr).toBe(0)
    for (const s of SERVICES) expect(down.stdout).toContain(`container goblin-${s}`)
    expect(down.stdout).toContain('network goblin')
    expect(down.stdout).toContain('Kept (remove with --volumes):\n')
    expect(down.stdout).toContain('volume goblin-grafana-data')
    expect(await ourContainers()).toEqual([])
    expect(existsSync(join(home.path, 'stack', 'docker.json'))).toBe(false)
    expect((await follower).exitCode).toBe(0)
    const volumes = await goblin(['stack', 'down', '--volumes', '--json'])
    expect(parseJson<{ removed: string[] }>(volumes).removed).toContain('volume goblin-prometheus-data')
  }, 240_000)

  it('a missing image fails before anything starts (exit 2)', async () => {
    const registry = engineEnv.GOBLIN_TEST_REGISTRY
    const run = await goblin([
      'stack',
      'up',
      '--runtime',
      'docker',
      ...imageFlags({ grafana: `${registry}/goblin-test/no-such-image:1` }),
    ])
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain(`image ${registry}/goblin-test/no-such-image:1 cannot be pulled`)
    expect(run.stderr).toContain('nothing was started')
    expect(await ourContainers()).toEqual([])
  }, 120_000)

  it('a port held by a process or by another container is reported with its holder; nothing starts', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(ports.grafana, '127.0.0.1', resolve))
    try {
      const run = await goblin(['stack', 'up', '--runtime', 'docker', ...imageFlags()])
      expect(run.exitCode).toBe(1)
      expect(run.stderr).toContain(
        `grafana port ${ports.grafana} (grafana) is held by process ${process.pid}`,
      )
      expect(await ourContainers()).toEqual([])
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
    const squatter = await podman([
      'run',
      '-d',
      '--name',
      'not-goblins',
      '-p',
      `127.0.0.1:${ports.loki}:80`,
      `${engineEnv.GOBLIN_TEST_REGISTRY}/goblin-test/stand-in-never-healthy:1`,
    ])
    expect(squatter.exitCode, String(squatter.stderr)).toBe(0)
    try {
      const run = await goblin(['stack', 'up', '--runtime', 'docker', ...imageFlags()])
      expect(run.exitCode).toBe(1)
      expect(run.stderr).toMatch(
        new RegExp(`loki port ${ports.loki} \\(loki\\) is held by container not-goblins \\([0-9a-f]{12}\\)`),
      )
      expect(await ourContainers()).toEqual([])
      // goblin down never touches a container that is not goblin's.
      await goblin(['stack', 'down', '--runtime', 'docker'])
      expect(String((await podman(['ps', '--format', '{{.Names}}'])).stdout)).toContain('not-goblins')
    } finally {
      await podman(['rm', '-f', '-t', '0', 'not-goblins'])
    }
  }, 120_000)

  it('a service that never turns healthy times out with its last log lines; the rest is stopped', async () => {
    const never = `${engineEnv.GOBLIN_TEST_REGISTRY}/goblin-test/stand-in-never-healthy:1`
    const run = await goblin([
      'stack',
      'up',
      '--runtime',
      'docker',
      '--timeout',
      '3',
      ...imageFlags({ loki: never }),
    ])
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain('loki did not turn healthy within 3 s (GET :3100/ready)')
    expect(run.stderr).toContain('| stand-in that never turns healthy')
    expect(run.stderr).toContain('were stopped')
    expect(await ourContainers()).toEqual([])
  }, 120_000)

  it('Ctrl-C mid-up stops what it had started', async () => {
    const never = `${engineEnv.GOBLIN_TEST_REGISTRY}/goblin-test/stand-in-never-healthy:1`
    const up = execa(
      process.execPath,
      [GOBLIN_BIN, 'stack', 'up', '--runtime', 'docker', ...imageFlags({ loki: never })],
      {
        env: { NO_COLOR: '1', CI: 'true', ...env },
        cwd: project.path,
        reject: false,
        timeout: 120_000,
      },
    )
    let stderr = ''
    await new Promise<void>((resolve) => {
      up.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
        if (stderr.includes('loki: waiting')) resolve()
      })
    })
    expect(await ourContainers()).toContain('goblin-loki')
    up.kill('SIGINT')
    const result = await up
    expect(result.exitCode).toBe(1)
    expect(String(result.stderr)).toMatch(/interrupted: stopped what this run had started \(.*loki.*\)/)
    expect(await ourContainers()).toEqual([])
  }, 120_000)
})

/** Prometheus's active scrape jobs, sorted, once it has any (polling for up to 30 s after it is ready). */
async function activeScrapeJobs(port: number): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    const body = (await (await fetch(`http://127.0.0.1:${port}/api/v1/targets`)).json()) as {
      data: { activeTargets: Array<{ labels: { job: string } }> }
    }
    const jobs = body.data.activeTargets.map((t) => t.labels.job).sort()
    if (jobs.length > 0 || attempt >= 60) return jobs
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}
