// Stack benchmark: `goblin stack up` to all-healthy and `down`, embedded and docker, each next to the same
// operations done with bare calls in the same run, printed as ratios.
//   embedded: goblin stack up/down --runtime embedded   vs  spawning `goblin collector serve` directly,
//             polling /health, SIGTERM and waiting for exit.
//   docker:   goblin stack up/down --runtime docker     vs  the same network, volumes, containers, health
//             polls and removal done with bare dockerode calls.
// The docker half runs against DOCKER_HOST when it answers, else it starts Podman's Engine API and a local
// registry with test/support/podman-up.sh (root, Debian's podman/runc/docker-registry), with the local
// stand-in images of test/support/stand-in-images.sh (Prometheus real, the rest stand-ins).
// Run with `npm run bench:stack` (builds first). Environment: BENCH_RUNS (default 5 embedded, 2 docker).
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Docker from 'dockerode'

const root = new URL('..', import.meta.url).pathname
const bin = join(root, 'bin/run.js')
const support = join(root, 'test/support')
const runsEmbedded = Number(process.env.BENCH_RUNS ?? 5)
const runsDocker = Number(process.env.BENCH_RUNS ?? 2)
const home = mkdtempSync(join(tmpdir(), 'goblin-bench-stack-'))
const project = mkdtempSync(join(tmpdir(), 'goblin-bench-stack-project-'))
const baseEnv = { ...process.env, GOBLIN_HOME: home, NO_COLOR: '1', CI: 'true' }

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const now = () => Number(process.hrtime.bigint()) / 1e6
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

function goblin(args, env = baseEnv) {
  const result = spawnSync(process.execPath, [bin, ...args], { env, cwd: project, encoding: 'utf8' })
  if (result.status !== 0)
    throw new Error(`goblin ${args.join(' ')} exited ${result.status}:\n${result.stderr}`)
  return result.stdout
}

async function healthy(url) {
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) })
      if (response.status >= 200 && response.status < 400) return
    } catch {}
    await sleep(100)
  }
}

async function freePorts(count) {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise((resolve) => {
          const server = createServer()
          server.listen(0, '127.0.0.1', () => resolve(server))
        }),
    ),
  )
  const ports = servers.map((s) => s.address().port)
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  return ports
}

async function embedded() {
  const goblinTimes = []
  const bareTimes = []
  for (let i = 0; i < runsEmbedded; i++) {
    let start = now()
    goblin(['stack', 'up', '--runtime', 'embedded', '--port', '0'])
    goblin(['stack', 'down'])
    goblinTimes.push(now() - start)

    start = now()
    const child = spawn(process.execPath, [bin, 'collector', 'serve', '--port', '0'], {
      env: baseEnv,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    const port = await new Promise((resolve) => {
      let out = ''
      child.stdout.on('data', (chunk) => {
        out += chunk
        const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)
        if (match) resolve(Number(match[1]))
      })
    })
    await healthy(`http://127.0.0.1:${port}/health`)
    child.kill('SIGTERM')
    await new Promise((resolve) => child.on('exit', resolve))
    bareTimes.push(now() - start)
  }
  return { goblin: median(goblinTimes), bare: median(bareTimes) }
}

async function engine() {
  if (process.env.DOCKER_HOST && process.env.GOBLIN_TEST_REGISTRY) return { env: {}, stop: () => {} }
  const dir = mkdtempSync(join(tmpdir(), 'goblin-bench-podman-'))
  const lines = execFileSync(join(support, 'podman-up.sh'), [dir], { encoding: 'utf8' })
  const env = Object.fromEntries(
    lines
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  )
  execFileSync(join(support, 'stand-in-images.sh'), [dir, env.GOBLIN_TEST_REGISTRY], {
    stdio: 'ignore',
    env: { ...process.env, ...env },
  })
  return { env, stop: () => execFileSync(join(support, 'podman-down.sh'), [dir], { stdio: 'ignore' }) }
}

async function docker() {
  const { env: engineEnv, stop } = await engine()
  try {
    const env = { ...baseEnv, ...engineEnv }
    const repo = `${env.GOBLIN_TEST_REGISTRY}/goblin-test`
    const images = {
      'otel-collector': `${repo}/stand-in-otel-collector:1`,
      tempo: `${repo}/stand-in-tempo:1`,
      loki: `${repo}/stand-in-loki:1`,
      grafana: `${repo}/stand-in-grafana:1`,
      prometheus: `${repo}/prometheus:debian`,
    }
    const names = ['grafana', 'loki', 'otlp-grpc', 'otlp-http', 'prometheus', 'tempo']
    const free = await freePorts(names.length)
    const ports = Object.fromEntries(names.map((n, i) => [n, free[i]]))
    writeFileSync(join(project, 'goblin.config.json'), JSON.stringify({ stack: { ports } }))
    const imageFlags = Object.entries(images).flatMap(([s, ref]) => ['--image', `${s}=${ref}`])
    // Warm-up: pulls the images, so both sides then start from images the engine has.
    goblin(['stack', 'up', '--runtime', 'docker', ...imageFlags], env)
    goblin(['stack', 'down', '--volumes', '--runtime', 'docker'], env)

    const plan = JSON.parse(goblin(['stack', 'config', '--json', ...imageFlags], env))
    const client = new Docker({ socketPath: env.DOCKER_HOST.replace('unix://', '') })
    const goblinTimes = []
    const bareTimes = []
    for (let i = 0; i < runsDocker; i++) {
      let start = now()
      goblin(['stack', 'up', '--runtime', 'docker', ...imageFlags], env)
      goblin(['stack', 'down', '--volumes', '--runtime', 'docker'], env)
      goblinTimes.push(now() - start)

      start = now()
      await bareUpDown(client, plan)
      bareTimes.push(now() - start)
    }
    return { goblin: median(goblinTimes), bare: median(bareTimes) }
  } finally {
    stop()
  }
}

/** The same stack with bare Engine API calls: network, volumes, containers by waves, health, removal. */
async function bareUpDown(client, plan) {
  const network = await client.createNetwork({ Name: 'bench-bare' })
  await Promise.all(plan.volumes.map((name) => client.createVolume({ Name: `bench-${name}` })))
  const containers = []
  const waves = [
    plan.services.filter((s) => s.dependsOn.length === 0),
    plan.services.filter((s) => s.dependsOn.length > 0),
  ]
  for (const wave of waves) {
    await Promise.all(
      wave.map(async (s) => {
        const bindings = Object.fromEntries(
          s.ports.map((p) => [`${p.container}/tcp`, [{ HostIp: '127.0.0.1', HostPort: String(p.host) }]]),
        )
        const health = s.healthcheck.http
        const healthPublished = s.ports.some((p) => p.container === health.port)
        if (!healthPublished) bindings[`${health.port}/tcp`] = [{ HostIp: '127.0.0.1', HostPort: '' }]
        const container = await client.createContainer({
          name: `bench-${s.name}`,
          Image: s.image,
          Cmd: s.command,
          Env: Object.entries(s.env).map(([k, v]) => `${k}=${v}`),
          User: s.user,
          ExposedPorts: Object.fromEntries(Object.keys(bindings).map((k) => [k, {}])),
          HostConfig: {
            PortBindings: bindings,
            Binds: [
              ...s.mounts.map((m) => `${m.source}:${m.target}:ro`),
              ...s.volumes.map((v) => `bench-${v.name}:${v.target}`),
            ],
            NetworkMode: 'bench-bare',
          },
          NetworkingConfig: { EndpointsConfig: { 'bench-bare': { Aliases: [s.name] } } },
        })
        containers.push(container)
        await container.start()
        const info = await container.inspect()
        const hostPort = info.NetworkSettings.Ports[`${health.port}/tcp`][0].HostPort
        await healthy(`http://127.0.0.1:${hostPort}${health.path}`)
      }),
    )
  }
  await Promise.all(
    containers.map(async (c) => {
      await c.stop({ t: 10 }).catch(() => {})
      await c.remove({ force: true })
    }),
  )
  await network.remove()
  await Promise.all(plan.volumes.map((name) => client.getVolume(`bench-${name}`).remove()))
}

try {
  console.log(`stack up to all-healthy + down, median of runs, node ${process.version}`)
  const e = await embedded()
  console.log(
    `embedded  goblin ${e.goblin.toFixed(0).padStart(7)} ms   bare ${e.bare.toFixed(0).padStart(7)} ms   ${(e.goblin / e.bare).toFixed(2)}x bare (${runsEmbedded} runs)`,
  )
  const d = await docker()
  console.log(
    `docker    goblin ${d.goblin.toFixed(0).padStart(7)} ms   bare ${d.bare.toFixed(0).padStart(7)} ms   ${(d.goblin / d.bare).toFixed(2)}x bare (${runsDocker} runs)`,
  )
} finally {
  rmSync(home, { recursive: true, force: true })
  rmSync(project, { recursive: true, force: true })
}
