/** The shapes `goblin stack up/status/down` return (their `--json` documents), shared by both runtimes. */

export type RuntimeName = 'docker' | 'embedded'

export interface ServicePort {
  /** The port's name in the plan (`otlp-http`, `grafana`, ...), the key of `stack.ports`. */
  name: string
  host: number
  container?: number
  protocol: 'tcp' | 'udp'
}

export type ServiceState = 'running' | 'created' | 'restarting' | 'exited' | 'missing'
export type ServiceHealth = 'healthy' | 'unhealthy' | 'starting' | 'none'

export interface ServiceStatus {
  name: string
  runtime: RuntimeName
  state: ServiceState
  health: ServiceHealth
  ports: ServicePort[]
  image: string
  startedAt: string | null
  uptimeSeconds: number | null
  /** The background process (embedded runtime). */
  pid?: number
  /** The container (docker runtime), short id. */
  container?: string
}

/** A URL the summary prints: what it is and where. */
export interface StackUrl {
  name: string
  url: string
}

export interface StackUpReport {
  runtime: RuntimeName
  /** Why this runtime (e.g. `auto: no Docker engine at unix:///var/run/docker.sock`). */
  reason: string
  /** False when everything already ran as planned and nothing was touched. */
  changed: boolean
  started: string[]
  alreadyRunning: string[]
  services: ServiceStatus[]
  urls: StackUrl[]
  /** What a shell exports to send its telemetry here (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
  env?: Record<string, string>
}

export interface StackStatusReport {
  runtimes: RuntimeName[]
  services: ServiceStatus[]
  urls: StackUrl[]
}

export interface StackDownReport {
  /** One line per thing stopped or removed, e.g. `container goblin-tempo`. */
  removed: string[]
  /** What was kept that `--volumes` would remove. */
  kept: string[]
}

/** What `up` reports while it works, for a progress display. */
export type StackUpEvent =
  | {
      type: 'phase'
      service: string
      phase: 'pulling' | 'creating' | 'starting' | 'waiting' | 'healthy' | 'running' | 'stopping'
      detail?: string
    }
  | { type: 'pull'; image: string; status: string; current?: number; total?: number; done: boolean }
  | { type: 'note'; message: string }

/** Seconds since an ISO time, or null. */
export function uptimeSeconds(startedAt: string | null, now = Date.now()): number | null {
  if (!startedAt) return null
  const started = Date.parse(startedAt)
  return Number.isNaN(started) ? null : Math.max(0, Math.round((now - started) / 1000))
}
