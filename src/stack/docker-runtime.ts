import { PassThrough } from 'node:stream'
import type Docker from 'dockerode'
import { GoblinError } from '../core/errors.js'
import {
  containerCreateOptions,
  containerName,
  DEPENDS_LABEL,
  healthFromLabels,
  planHash,
  portNamesFromLabels,
} from './container-spec.js'
import { PUBLISH_HOST } from './default-ports.js'
import { engineError, engineMessage, engineStatus } from './docker-client.js'
import type { DockerEndpoint } from './docker-endpoint.js'
import { pause, probeHttp } from './http-probe.js'
import { hasImage, pullImage } from './image-pull.js'
import { findPortConflicts, portConflictError } from './port-conflicts.js'
import {
  MANAGED_LABEL,
  PLAN_HASH_LABEL,
  type PlanHealthcheck,
  type PlanService,
  SERVICE_LABEL,
  STACK_NETWORK,
  type StackPlan,
  startOrder,
} from './stack-plan.js'
import {
  type ServiceHealth,
  type ServicePort,
  type ServiceState,
  type ServiceStatus,
  type StackDownReport,
  type StackUpEvent,
  type StackUpReport,
  type StackUrl,
  uptimeSeconds,
} from './stack-report.js'

const LOG_TAIL_LINES = 20
const STOP_SECONDS = 10

export interface DockerUpOptions {
  docker: Docker
  endpoint: DockerEndpoint
  plan: StackPlan
  /** Overrides every service's own health deadline. */
  timeoutMs?: number
  signal?: AbortSignal
  onEvent?: (event: StackUpEvent) => void
  reason: string
}

type ContainerSummary = Docker.ContainerInfo

/**
 * `up` on a Docker Engine API: checks ports (before anything starts), pulls missing images with progress,
 * makes the `goblin` network and volumes, then creates and starts each service in dependency order and
 * waits for its health check. A running container built from the same plan is left alone; one built from
 * another plan is replaced. When a service fails or the user interrupts, what this run started is stopped.
 */
export async function dockerUp(options: DockerUpOptions): Promise<StackUpReport> {
  const { docker, endpoint, plan, signal } = options
  const emit = options.onEvent ?? (() => {})
  const call = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run()
    } catch (error) {
      if (error instanceof GoblinError) throw error
      throw engineError(endpoint, what, error)
    }
  }
  const existing = await call("listing goblin's containers", () => listOurContainers(docker))
  const byService = new Map(existing.map((c) => [c.Labels[SERVICE_LABEL] ?? '', c]))

  const keep = new Set<string>()
  const toStart = new Set<string>()
  const toReplace: ContainerSummary[] = []
  for (const service of plan.services) {
    const container = byService.get(service.name)
    if (container && container.Labels[PLAN_HASH_LABEL] === planHash(service)) {
      if (container.State === 'running') keep.add(service.name)
      else toStart.add(service.name)
    } else if (container) {
      toReplace.push(container)
    }
  }

  // Ports first: a port held by something else fails the run before anything changes.
  const ours = new Set(existing.filter((c) => keep.has(c.Labels[SERVICE_LABEL] ?? '')).map((c) => c.Id))
  const conflicts = await findPortConflicts(
    plan.services
      .filter((s) => !keep.has(s.name))
      .flatMap((s) =>
        s.ports.map((p) => ({ service: s.name, name: p.name, port: p.host, host: PUBLISH_HOST })),
      ),
    (port) => containerHoldingPort(docker, port, ours),
  )
  // A port held by the very container we are about to replace is not a conflict.
  const replacing = new Set(toReplace.map((c) => containerName(c.Labels[SERVICE_LABEL] ?? '')))
  const real = conflicts.filter(
    (c) => ![...replacing].some((name) => c.holder.startsWith(`container ${name} `)),
  )
  if (real.length > 0) throw portConflictError(real)

  const needed = plan.services.filter((s) => !keep.has(s.name) && !toStart.has(s.name))
  const refs = [...new Set(needed.map((s) => s.image))]
  const present = await Promise.all(
    refs.map((ref) => call(`inspecting image ${ref}`, () => hasImage(docker, ref))),
  )
  const missing = refs.filter((_, i) => !present[i])
  await Promise.all(missing.map((ref) => pullImage(docker, ref, emit, signal)))
  if (signal?.aborted) throw interrupted([])

  await call('creating the goblin network', () => ensureNetwork(docker))
  await call('creating volumes', () => ensureVolumes(docker, plan.volumes))
  for (const container of toReplace) {
    emit({
      type: 'phase',
      service: container.Labels[SERVICE_LABEL] ?? '?',
      phase: 'stopping',
      detail: 'its plan changed',
    })
    await call('replacing a container', () => removeContainer(docker, container.Id))
  }

  const startedNow: string[] = []
  // The first service to fail stops its siblings' waits, so the run ends (and cleans up) at once.
  const failFast = new AbortController()
  const waveSignal = signal ? AbortSignal.any([signal, failFast.signal]) : failFast.signal
  const startService = async (service: PlanService, create: boolean) => {
    const name = service.name
    startedNow.push(name)
    if (create) {
      emit({ type: 'phase', service: name, phase: 'creating', detail: service.image })
      await call(`creating ${containerName(name)}`, () =>
        docker.createContainer(containerCreateOptions(service) as Docker.ContainerCreateOptions),
      )
    }
    emit({ type: 'phase', service: name, phase: 'starting' })
    await call(`starting ${containerName(name)}`, () => docker.getContainer(containerName(name)).start())
    emit({ type: 'phase', service: name, phase: 'waiting' })
    await waitHealthy(docker, service, options.timeoutMs, waveSignal)
  }
  const cleanUp = async () => {
    for (const name of [...startedNow].reverse()) {
      emit({ type: 'phase', service: name, phase: 'stopping' })
      await removeContainer(docker, containerName(name)).catch(() => {})
    }
  }
  try {
    for (const wave of startOrder(plan.services)) {
      const results = await Promise.allSettled(
        wave.map(async (name) => {
          const service = plan.services.find((s) => s.name === name) as PlanService
          if (keep.has(name)) {
            emit({ type: 'phase', service: name, phase: 'running', detail: 'already running' })
            return
          }
          try {
            await startService(service, !toStart.has(name))
          } catch (error) {
            failFast.abort()
            throw error
          }
          emit({ type: 'phase', service: name, phase: 'healthy' })
        }),
      )
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      // The service that failed first explains the run; its siblings only stopped waiting because of it.
      const cause =
        failures.find((f) => (f.reason as GoblinError).code !== 'STACK_UP_INTERRUPTED') ?? failures[0]
      if (cause) throw cause.reason
    }
  } catch (error) {
    await cleanUp()
    if (signal?.aborted) throw interrupted(startedNow)
    throw error
  }
  const services = await dockerStatus(docker)
  return {
    runtime: 'docker',
    reason: options.reason,
    changed: startedNow.length > 0 || toReplace.length > 0,
    started: startedNow,
    alreadyRunning: [...keep],
    services,
    urls: dockerUrls(services),
  }
}

/** Every goblin container's status: state, health (probed now), ports, uptime, image. */
export async function dockerStatus(docker: Docker): Promise<ServiceStatus[]> {
  const containers = await listOurContainers(docker)
  const statuses = await Promise.all(
    containers.map(async (c): Promise<ServiceStatus> => {
      const info = await docker.getContainer(c.Id).inspect()
      const running = info.State.Running
      const health = healthFromLabels(c.Labels)
      const startedAt = running ? info.State.StartedAt : null
      return {
        name: c.Labels[SERVICE_LABEL] ?? c.Names[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12),
        runtime: 'docker',
        state: containerState(info.State.Status),
        health: running ? await probeHealth(docker, c.Id, info, health) : 'none',
        ports: publishedPorts(info),
        image: info.Config.Image,
        startedAt,
        uptimeSeconds: uptimeSeconds(startedAt),
        container: c.Id.slice(0, 12),
      }
    }),
  )
  return statuses.sort((a, b) => a.name.localeCompare(b.name))
}

/**
 * Stops and removes goblin's containers (by label, never another's), its network, and with `volumes` its
 * labelled volumes. Says what it removed.
 */
export async function dockerDown(
  docker: Docker,
  endpoint: DockerEndpoint,
  options: { volumes?: boolean } = {},
): Promise<StackDownReport> {
  const removed: string[] = []
  const kept: string[] = []
  try {
    const containers = await listOurContainers(docker)
    // Dependents stop first (the collector flushes to Tempo and Loki while they still run); a wave at once.
    const services = containers.map((c) => ({
      name: c.Labels[SERVICE_LABEL] ?? c.Id,
      dependsOn: (c.Labels[DEPENDS_LABEL] ?? '')
        .split(',')
        .filter((d) => containers.some((o) => o.Labels[SERVICE_LABEL] === d)),
    }))
    for (const wave of startOrder(services).reverse()) {
      const stopping = containers.filter((c) => wave.includes(c.Labels[SERVICE_LABEL] ?? c.Id))
      await Promise.all(stopping.map((c) => removeContainer(docker, c.Id)))
      for (const c of stopping)
        removed.push(`container ${c.Names[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12)}`)
    }
    const networks = await docker.listNetworks({ filters: { label: [`${MANAGED_LABEL}=true`] } })
    for (const network of networks) {
      await docker.getNetwork(network.Id).remove()
      removed.push(`network ${network.Name}`)
    }
    const { Volumes } = await docker.listVolumes({ filters: { label: [`${MANAGED_LABEL}=true`] } })
    for (const volume of Volumes ?? []) {
      if (options.volumes) {
        await docker.getVolume(volume.Name).remove()
        removed.push(`volume ${volume.Name}`)
      } else {
        kept.push(`volume ${volume.Name}`)
      }
    }
  } catch (error) {
    throw engineError(endpoint, "removing goblin's stack", error)
  }
  return { removed, kept }
}

/** A goblin container's log lines (stdout and stderr, in order), optionally since a time or only the tail. */
export async function dockerLogs(
  docker: Docker,
  service: string,
  options: { since?: Date; tail?: number },
): Promise<{ lines: string[]; container: string }> {
  const container = await findServiceContainer(docker, service)
  const raw = (await docker.getContainer(container.Id).logs({
    stdout: true,
    stderr: true,
    follow: false,
    ...(options.since ? { since: Math.floor(options.since.getTime() / 1000) } : {}),
    ...(options.tail !== undefined ? { tail: options.tail } : {}),
  })) as unknown as Buffer
  return { lines: splitLines(demuxBuffer(raw)), container: container.Id }
}

/** Follows a container's log from now until the container stops or `signal` aborts. */
export async function* followDockerLogs(
  docker: Docker,
  containerId: string,
  signal?: AbortSignal,
): AsyncGenerator<string> {
  const stream = (await docker.getContainer(containerId).logs({
    stdout: true,
    stderr: true,
    follow: true,
    since: Math.floor(Date.now() / 1000),
    abortSignal: signal,
  })) as NodeJS.ReadableStream
  const out = new PassThrough()
  docker.modem.demuxStream(stream, out, out)
  stream.on('end', () => out.end())
  stream.on('error', () => out.end())
  signal?.addEventListener('abort', () => out.end(), { once: true })
  let partial = ''
  for await (const chunk of out) {
    const lines = (partial + String(chunk)).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) yield line
  }
  if (partial) yield partial
}

/** The container that runs a service, or an exit-2 error naming the services that exist. */
export async function findServiceContainer(docker: Docker, service: string): Promise<ContainerSummary> {
  const containers = await listOurContainers(docker)
  const container = containers.find((c) => c.Labels[SERVICE_LABEL] === service)
  if (!container) {
    const names = containers.map((c) => c.Labels[SERVICE_LABEL]).filter(Boolean)
    throw new GoblinError(
      'STACK_UNKNOWN_SERVICE',
      `no service named ${service} runs in goblin's docker stack${names.length > 0 ? ` (it has: ${names.join(', ')})` : ''}`,
      { hint: 'Run goblin stack status to see the services.' },
    )
  }
  return container
}

/** The URLs of the docker stack (Grafana, OTLP endpoints, the backends), from the ports its services publish. */
export function dockerUrls(services: ServiceStatus[]): StackUrl[] {
  const host = (name: string) =>
    services
      .filter((s) => s.runtime === 'docker')
      .flatMap((s) => s.ports)
      .find((p) => p.name === name)?.host
  const urls: StackUrl[] = []
  const add = (name: string, port: number | undefined, path = '') => {
    if (port !== undefined) urls.push({ name, url: `http://${PUBLISH_HOST}:${port}${path}` })
  }
  add('Grafana', host('grafana'))
  add('OTLP HTTP (OTEL_EXPORTER_OTLP_ENDPOINT)', host('otlp-http'))
  if (host('otlp-grpc') !== undefined)
    urls.push({ name: 'OTLP gRPC', url: `grpc://${PUBLISH_HOST}:${host('otlp-grpc')}` })
  add('Tempo', host('tempo'))
  add('Loki', host('loki'))
  add('Prometheus', host('prometheus'))
  return urls
}

async function listOurContainers(docker: Docker): Promise<ContainerSummary[]> {
  return docker.listContainers({ all: true, filters: { label: [`${MANAGED_LABEL}=true`] } })
}

/** `container NAME (ID)` when a container publishes the port (other than ours that stay), else null. */
async function containerHoldingPort(docker: Docker, port: number, ours: Set<string>): Promise<string | null> {
  const containers = await docker.listContainers({ all: false }).catch(() => [] as ContainerSummary[])
  const holder = containers.find((c) => !ours.has(c.Id) && c.Ports.some((p) => p.PublicPort === port))
  return holder ? `container ${holder.Names[0]?.replace(/^\//, '') ?? '?'} (${holder.Id.slice(0, 12)})` : null
}

async function ensureNetwork(docker: Docker): Promise<void> {
  try {
    await docker.getNetwork(STACK_NETWORK).inspect()
  } catch (error) {
    if (engineStatus(error) !== 404) throw error
    await docker.createNetwork({ Name: STACK_NETWORK, Driver: 'bridge', Labels: { [MANAGED_LABEL]: 'true' } })
  }
}

async function ensureVolumes(docker: Docker, names: string[]): Promise<void> {
  await Promise.all(
    names.map(async (name) => {
      try {
        await docker.getVolume(name).inspect()
      } catch (error) {
        if (engineStatus(error) !== 404) throw error
        await docker.createVolume({ Name: name, Labels: { [MANAGED_LABEL]: 'true' } })
      }
    }),
  )
}

async function removeContainer(docker: Docker, id: string): Promise<void> {
  const container = docker.getContainer(id)
  try {
    await container.stop({ t: STOP_SECONDS })
  } catch (error) {
    // 304: already stopped; 404: already gone.
    if (engineStatus(error) === 404) return
  }
  try {
    await container.remove({ force: true })
  } catch (error) {
    if (engineStatus(error) !== 404) throw error
  }
}

/** Waits until the service's health check passes; throws with its last log lines when it exits or times out. */
async function waitHealthy(
  docker: Docker,
  service: PlanService,
  timeoutMs: number | undefined,
  signal?: AbortSignal,
) {
  const container = docker.getContainer(containerName(service.name))
  const limitMs = timeoutMs ?? (service.healthcheck?.timeoutSeconds ?? 60) * 1000
  const deadline = Date.now() + limitMs
  for (;;) {
    if (signal?.aborted) throw interrupted([])
    const info = await container.inspect()
    if (!info.State.Running) {
      throw new GoblinError(
        'STACK_SERVICE_EXITED',
        `${service.name} exited (code ${info.State.ExitCode}) before it turned healthy${await logTail(docker, info.Id)}`,
        {
          hint: `Fix what its log says; the services this run started were stopped. Image: ${service.image}`,
        },
      )
    }
    if ((await probeHealth(docker, info.Id, info, service.healthcheck)) === 'healthy') return
    if (Date.now() > deadline) {
      throw new GoblinError(
        'STACK_UNHEALTHY',
        `${service.name} did not turn healthy within ${Math.round(limitMs / 1000)} s (${describeHealth(service.healthcheck)})${await logTail(docker, info.Id)}`,
        {
          hint: 'The services this run started were stopped. Read the log above, or give it longer with --timeout.',
        },
      )
    }
    await pause(100, signal)
  }
}

async function probeHealth(
  docker: Docker,
  id: string,
  info: Docker.ContainerInspectInfo,
  health: PlanHealthcheck | null,
): Promise<ServiceHealth> {
  if (!health) return 'none'
  if (health.http) {
    const hostPort = publishedHostPort(info, health.http.port)
    if (hostPort === null) return 'unhealthy'
    const answer = await probeHttp(`http://${PUBLISH_HOST}:${hostPort}${health.http.path}`)
    return answer && answer.status >= 200 && answer.status < 400 ? 'healthy' : 'starting'
  }
  if (health.command) {
    try {
      const exec = await docker
        .getContainer(id)
        .exec({ Cmd: health.command, AttachStdout: true, AttachStderr: true })
      const stream = await exec.start({})
      stream.resume()
      await new Promise((resolve) => stream.on('end', resolve))
      const result = await exec.inspect()
      return result.ExitCode === 0 ? 'healthy' : 'starting'
    } catch {
      return 'starting'
    }
  }
  return 'none'
}

function describeHealth(health: PlanHealthcheck | null): string {
  if (health?.http) return `GET :${health.http.port}${health.http.path}`
  if (health?.command) return health.command.join(' ')
  return 'no health check'
}

/** The host port a container port is published on, from the container's inspect data. */
function publishedHostPort(info: Docker.ContainerInspectInfo, containerPort: number): number | null {
  const bindings = info.NetworkSettings.Ports?.[`${containerPort}/tcp`]
  const hostPort = bindings?.[0]?.HostPort
  return hostPort ? Number(hostPort) : null
}

/** The ports the plan published, named as in the plan; the ephemeral health-probe port is left out. */
function publishedPorts(info: Docker.ContainerInspectInfo): ServicePort[] {
  const names = portNamesFromLabels(info.Config.Labels)
  const ports: ServicePort[] = []
  for (const [key, bindings] of Object.entries(info.NetworkSettings.Ports ?? {})) {
    const name = names[key]
    if (!name) continue
    const [container, protocol] = key.split('/')
    for (const binding of bindings ?? []) {
      if (!binding.HostPort) continue
      ports.push({
        name,
        host: Number(binding.HostPort),
        container: Number(container),
        protocol: protocol === 'udp' ? 'udp' : 'tcp',
      })
    }
  }
  return ports.sort((a, b) => a.host - b.host)
}

function containerState(status: string): ServiceState {
  if (status === 'running' || status === 'created' || status === 'restarting' || status === 'exited')
    return status
  return status === 'dead' || status === 'removing' || status === 'stopped' ? 'exited' : 'created'
}

async function logTail(docker: Docker, id: string): Promise<string> {
  try {
    const raw = (await docker
      .getContainer(id)
      .logs({ stdout: true, stderr: true, tail: LOG_TAIL_LINES })) as unknown as Buffer
    const lines = splitLines(demuxBuffer(raw))
    return lines.length === 0
      ? '; it wrote no log'
      : `; its last log lines:\n${lines.map((l) => `  | ${l}`).join('\n')}`
  } catch (error) {
    return `; its log could not be read (${engineMessage(error)})`
  }
}

/**
 * A non-TTY container's log arrives multiplexed: frames of [stream, 0, 0, 0, size (4 bytes BE)] + payload.
 * Engines that send plain text (no frame header) are passed through.
 */
export function demuxBuffer(raw: Buffer | string): string {
  const buffer = typeof raw === 'string' ? Buffer.from(raw, 'binary') : raw
  const looksFramed =
    buffer.length >= 8 &&
    buffer[0] !== undefined &&
    buffer[0] <= 2 &&
    buffer[1] === 0 &&
    buffer[2] === 0 &&
    buffer[3] === 0
  if (!looksFramed) return buffer.toString('utf8')
  const parts: Buffer[] = []
  let offset = 0
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4)
    parts.push(buffer.subarray(offset + 8, offset + 8 + size))
    offset += 8 + size
  }
  return Buffer.concat(parts).toString('utf8')
}

function splitLines(text: string): string[] {
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  return lines
}

function interrupted(started: string[]): GoblinError {
  return new GoblinError(
    'STACK_UP_INTERRUPTED',
    `interrupted${started.length > 0 ? `: stopped what this run had started (${started.join(', ')})` : ''}`,
    { hint: 'Run goblin stack up again when you are ready.' },
  )
}
