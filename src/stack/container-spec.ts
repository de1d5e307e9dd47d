import { createHash } from 'node:crypto'
import { PUBLISH_HOST } from './default-ports.js'
import {
  MANAGED_LABEL,
  PLAN_HASH_LABEL,
  type PlanHealthcheck,
  type PlanService,
  SERVICE_LABEL,
  STACK_NETWORK,
} from './stack-plan.js'

/** The label that carries a service's health check, so `status` can probe it without the plan. */
export const HEALTH_LABEL = 'dev.goblin.health'
/** The label that names each published container port (`{"4318/tcp": "otlp-http"}`) for status and URLs. */
export const PORT_NAMES_LABEL = 'dev.goblin.port-names'
/** The label that lists the services a container's service starts after (so `down` stops it first). */
export const DEPENDS_LABEL = 'dev.goblin.depends-on'

/** `goblin-<service>`: the container's name. */
export function containerName(service: string): string {
  return `goblin-${service}`
}

/** A short hash of everything that shapes the container; a changed plan means a new container. */
export function planHash(service: PlanService): string {
  const shape = {
    image: service.image,
    command: service.command ?? null,
    env: service.env,
    ports: service.ports,
    mounts: service.mounts,
    volumes: service.volumes,
    user: service.user ?? null,
    healthcheck: service.healthcheck,
  }
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16)
}

/** The container port a health check probes over HTTP, when it is not one the service publishes. */
export function unpublishedHealthPort(service: PlanService): number | null {
  const port = service.healthcheck?.http?.port
  if (port === undefined) return null
  return service.ports.some((p) => p.container === port && p.protocol === 'tcp') ? null : port
}

/**
 * The Docker Engine API `ContainerCreate` body for a planned service: labelled as goblin's, on the
 * `goblin` network under its service name, ports published on 127.0.0.1 (a health port the plan does not
 * publish gets an ephemeral one), config files bind-mounted read-only, data in named volumes.
 */
export function containerCreateOptions(service: PlanService): Record<string, unknown> {
  const exposed: Record<string, object> = {}
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {}
  for (const port of service.ports) {
    const key = `${port.container}/${port.protocol}`
    exposed[key] = {}
    bindings[key] = [...(bindings[key] ?? []), { HostIp: PUBLISH_HOST, HostPort: String(port.host) }]
  }
  const healthPort = unpublishedHealthPort(service)
  if (healthPort !== null) {
    exposed[`${healthPort}/tcp`] = {}
    bindings[`${healthPort}/tcp`] = [{ HostIp: PUBLISH_HOST, HostPort: '' }]
  }
  return {
    name: containerName(service.name),
    Image: service.image,
    ...(service.command ? { Cmd: service.command } : {}),
    Env: Object.entries(service.env).map(([key, value]) => `${key}=${value}`),
    ...(service.user ? { User: service.user } : {}),
    Labels: {
      [MANAGED_LABEL]: 'true',
      [SERVICE_LABEL]: service.name,
      [PLAN_HASH_LABEL]: planHash(service),
      [HEALTH_LABEL]: JSON.stringify(service.healthcheck),
      [DEPENDS_LABEL]: service.dependsOn.join(','),
      [PORT_NAMES_LABEL]: JSON.stringify(
        Object.fromEntries(service.ports.map((p) => [`${p.container}/${p.protocol}`, p.name])),
      ),
    },
    ExposedPorts: exposed,
    HostConfig: {
      PortBindings: bindings,
      Binds: [
        ...service.mounts.map((m) => `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`),
        ...service.volumes.map((v) => `${v.name}:${v.target}`),
      ],
      NetworkMode: STACK_NETWORK,
      RestartPolicy: { Name: 'no' },
    },
    NetworkingConfig: { EndpointsConfig: { [STACK_NETWORK]: { Aliases: [service.name] } } },
  }
}

/** Reads the port names back from a container's labels. */
export function portNamesFromLabels(labels: Record<string, string> | undefined): Record<string, string> {
  try {
    return JSON.parse(labels?.[PORT_NAMES_LABEL] ?? '{}') as Record<string, string>
  } catch {
    return {}
  }
}

/** Reads the health check back from a container's labels (null when absent or unreadable). */
export function healthFromLabels(labels: Record<string, string> | undefined): PlanHealthcheck | null {
  try {
    return JSON.parse(labels?.[HEALTH_LABEL] ?? 'null') as PlanHealthcheck | null
  } catch {
    return null
  }
}
