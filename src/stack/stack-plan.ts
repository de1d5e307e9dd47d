/** The stack as data: what each service runs, publishes, mounts and is checked with. Runtimes read this. */

/** The Docker network every service joins; services find each other by name on it. */
export const STACK_NETWORK = 'goblin'
/** The label that marks a container, network or volume as goblin's own (and the only ones it touches). */
export const MANAGED_LABEL = 'dev.goblin.managed'
export const SERVICE_LABEL = 'dev.goblin.service'
/** A hash of the service's plan; a container whose hash differs is replaced on `up`. */
export const PLAN_HASH_LABEL = 'dev.goblin.plan-hash'

export interface PlanPort {
  /** The port's name: the key of `stack.ports` in goblin.config.json. */
  name: string
  container: number
  host: number
  protocol: 'tcp' | 'udp'
}

export interface PlanMount {
  /** Absolute path on the engine's host (a file or directory under goblin's `stack/`). */
  source: string
  target: string
  readOnly: boolean
}

export interface PlanVolume {
  /** The named volume, `goblin-<service>-data`. */
  name: string
  target: string
}

/** How the runtime knows a service is ready: an HTTP GET (from the host) or a command in the container. */
export interface PlanHealthcheck {
  http?: { port: number; path: string }
  command?: string[]
  timeoutSeconds: number
}

export interface PlanService {
  name: string
  image: string
  /** Where the image reference came from: goblin's pinned default, goblin.config.json, or --image. */
  imageSource: 'default' | 'config' | 'flag' | 'plugin'
  command?: string[]
  env: Record<string, string>
  /** Env values that are secrets: shown as *** by `stack config`. */
  secretEnv: string[]
  ports: PlanPort[]
  mounts: PlanMount[]
  volumes: PlanVolume[]
  dependsOn: string[]
  healthcheck: PlanHealthcheck | null
  /** Container user, when the image's default cannot write its named volume. */
  user?: string
  /** `goblin` or the plugin that added the service. */
  source: string
}

export interface StackPlan {
  network: string
  services: PlanService[]
  volumes: string[]
}

/** The order to start services in: waves, each depending only on earlier waves. Throws on a cycle. */
export function startOrder(services: Array<Pick<PlanService, 'name' | 'dependsOn'>>): string[][] {
  const remaining = new Map(services.map((s) => [s.name, new Set(s.dependsOn)]))
  const waves: string[][] = []
  const done = new Set<string>()
  while (remaining.size > 0) {
    const wave = [...remaining].filter(([, deps]) => [...deps].every((d) => done.has(d))).map(([n]) => n)
    if (wave.length === 0) {
      throw new Error(
        `the stack's services depend on each other in a cycle: ${[...remaining.keys()].join(', ')}`,
      )
    }
    wave.sort()
    for (const name of wave) {
      remaining.delete(name)
      done.add(name)
    }
    waves.push(wave)
  }
  return waves
}
