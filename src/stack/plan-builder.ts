import type { ProjectConfig } from '../core/config-schema.js'
import { usageError } from '../core/errors.js'
import type { StackServicesAnswer } from '../plugins/contracts.js'
import { builtinServices } from './builtin-services.js'
import { type PlanService, STACK_NETWORK, type StackPlan, startOrder } from './stack-plan.js'

export interface PlanInputs {
  config: ProjectConfig
  /** `--image SERVICE=REF` flags, highest precedence. */
  imageFlags?: string[]
  /** Services plugins answered through `goblin:stack-services`, by plugin. */
  pluginServices?: Array<{ plugin: string; services: StackServicesAnswer['services'] }>
  env?: NodeJS.ProcessEnv
  assetsDir: string
}

export interface BuiltPlan {
  plan: StackPlan
  /** Plugin services that could not join the plan, and why (printed as warnings). */
  warnings: string[]
}

/**
 * Builds the stack plan: goblin's services, then plugin services, with images and host ports from
 * goblin.config.json (`stack.images`, `stack.ports`) and `--image` flags applied. An override naming an
 * unknown service or port is a usage error (exit 2), so a typo never silently does nothing.
 */
export function buildStackPlan(inputs: PlanInputs): BuiltPlan {
  const warnings: string[] = []
  const services = builtinServices(inputs.assetsDir, inputs.env ?? process.env)
  for (const { plugin, services: added } of inputs.pluginServices ?? []) {
    for (const service of added) {
      if (services.some((s) => s.name === service.name)) {
        warnings.push(`plugin ${plugin}: service ${service.name} already exists in the stack; skipped`)
        continue
      }
      services.push(fromPlugin(plugin, service))
    }
  }
  for (const service of services) {
    const unknown = service.dependsOn.filter((d) => !services.some((s) => s.name === d))
    if (unknown.length > 0) {
      warnings.push(`service ${service.name} depends on unknown service(s) ${unknown.join(', ')}; ignored`)
      service.dependsOn = service.dependsOn.filter((d) => !unknown.includes(d))
    }
  }

  const known = services.map((s) => s.name)
  for (const [name, image] of Object.entries(inputs.config.stack.images)) {
    const service = findService(services, name, 'goblin.config.json stack.images', known)
    service.image = image
    service.imageSource = 'config'
  }
  for (const [name, image] of Object.entries(parseImageFlags(inputs.imageFlags ?? []))) {
    const service = findService(services, name, '--image', known)
    service.image = image
    service.imageSource = 'flag'
  }
  const portNames = services.flatMap((s) => s.ports.map((p) => p.name))
  for (const [name, hostPort] of Object.entries(inputs.config.stack.ports)) {
    const port = services.flatMap((s) => s.ports).find((p) => p.name === name)
    if (!port) {
      throw usageError(
        'STACK_UNKNOWN_PORT',
        `goblin.config.json stack.ports.${name}: the stack has no port named ${name}`,
        `Port names are: ${portNames.join(', ')}.`,
      )
    }
    port.host = hostPort
  }
  const taken = new Map<number, string>()
  for (const port of services.flatMap((s) => s.ports)) {
    const other = taken.get(port.host)
    if (other) {
      throw usageError(
        'STACK_PORT_TWICE',
        `host port ${port.host} is given to both ${other} and ${port.name}`,
        'Give each a different port under stack.ports in goblin.config.json.',
      )
    }
    taken.set(port.host, port.name)
  }
  try {
    startOrder(services)
  } catch (error) {
    throw usageError(
      'STACK_DEPENDENCY_CYCLE',
      (error as Error).message,
      'Fix the plugin services that depend on each other.',
    )
  }
  const volumes = [...new Set(services.flatMap((s) => s.volumes.map((v) => v.name)))]
  return { plan: { network: STACK_NETWORK, services, volumes }, warnings }
}

/** Parses `--image SERVICE=REF` flags into a map; a malformed one is a usage error. */
export function parseImageFlags(flags: string[]): Record<string, string> {
  const images: Record<string, string> = {}
  for (const flag of flags) {
    const at = flag.indexOf('=')
    const name = flag.slice(0, at)
    const image = flag.slice(at + 1)
    if (at <= 0 || !image || !/^[a-z][a-z0-9-]*$/.test(name)) {
      throw usageError(
        'STACK_IMAGE_FLAG',
        `--image ${flag}: expected SERVICE=IMAGE, e.g. grafana=grafana/grafana:11.4.0`,
        'Name a service from goblin stack config and the image reference to run for it.',
      )
    }
    images[name] = image
  }
  return images
}

/** The plan as `stack config` shows it: secret env values replaced by ***. */
export function redactPlan(plan: StackPlan): StackPlan {
  return {
    ...plan,
    services: plan.services.map((s) => ({
      ...s,
      env: Object.fromEntries(
        Object.entries(s.env).map(([k, v]) => [k, s.secretEnv.includes(k) ? '***' : v]),
      ),
    })),
  }
}

function findService(services: PlanService[], name: string, where: string, known: string[]): PlanService {
  const service = services.find((s) => s.name === name)
  if (!service) {
    throw usageError(
      'STACK_UNKNOWN_SERVICE',
      `${where}: the stack has no service named ${name}`,
      `Services are: ${known.join(', ')}.`,
    )
  }
  return service
}

/** A plugin's service in the plan's shape; its `healthcheck.http` URL names the container port and path. */
function fromPlugin(plugin: string, service: StackServicesAnswer['services'][number]): PlanService {
  let http: { port: number; path: string } | undefined
  if (service.healthcheck?.http) {
    try {
      const url = new URL(service.healthcheck.http)
      http = { port: Number(url.port || 80), path: `${url.pathname}${url.search}` }
    } catch {
      http = undefined
    }
  }
  return {
    name: service.name,
    image: service.image,
    imageSource: 'plugin',
    command: service.command,
    env: service.env,
    secretEnv: [],
    ports: service.ports.map((p, i) => ({
      name: service.ports.length === 1 ? service.name : `${service.name}-${i + 1}`,
      container: p.container,
      host: p.host,
      protocol: p.protocol ?? 'tcp',
    })),
    mounts: [],
    volumes: [],
    dependsOn: service.dependsOn,
    healthcheck:
      service.healthcheck && (http || service.healthcheck.command)
        ? { http, command: service.healthcheck.command, timeoutSeconds: service.healthcheck.timeoutSeconds }
        : null,
    source: plugin,
  }
}
