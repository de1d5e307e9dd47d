import type { ProjectConfig } from '../core/config-schema.js'
import { usageError } from '../core/errors.js'
import { hostForUrl } from '../core/http-url.js'
import { DEFAULT_STACK_PORTS } from '../stack/default-ports.js'
import { readDockerState } from '../stack/docker-state.js'
import { readEmbeddedState } from '../stack/embedded-state.js'

export type BackendKind = 'embedded' | 'tempo'

/** Where traces are read from. */
export interface BackendTarget {
  kind: BackendKind
  /** Base URL of the Tempo-shaped query API. */
  endpoint: string
  /** Why this one: `flag`, `running stack`, `goblin.config.json`, `default`. */
  source: string
}

export interface ResolveOptions {
  home: string
  config: ProjectConfig
  backend?: BackendKind
  endpoint?: string
}

/**
 * The trace backend: `--backend`/`--endpoint` when given; else a live embedded collector named in
 * GOBLIN_HOME/stack/embedded.json; else the Tempo of the docker stack `stack up` started
 * (GOBLIN_HOME/stack/docker.json); else goblin.config.json `trace.backend`/`trace.endpoint`; else the
 * embedded collector at the configured collector address (127.0.0.1:4318), or Tempo at its stack port.
 */
export function resolveBackend(options: ResolveOptions): BackendTarget {
  const configured = options.config.trace
  if (options.endpoint) {
    return {
      kind: options.backend ?? (configured.backend === 'tempo' ? 'tempo' : 'embedded'),
      endpoint: normalizeEndpoint(options.endpoint),
      source: 'flag',
    }
  }
  const running = readEmbeddedState(options.home)
  const wanted = options.backend ?? (configured.backend === 'auto' ? undefined : configured.backend)
  if (running && wanted !== 'tempo') {
    return {
      kind: 'embedded',
      endpoint: `http://${hostForUrl(running.host)}:${running.port}`,
      source: 'running stack',
    }
  }
  const docker = readDockerState(options.home)
  if (docker?.tempo && wanted !== 'embedded') {
    return { kind: 'tempo', endpoint: docker.tempo, source: 'running stack' }
  }
  if (configured.endpoint && (options.backend === undefined || options.backend === configured.backend)) {
    return {
      kind: wanted ?? 'embedded',
      endpoint: normalizeEndpoint(configured.endpoint),
      source: 'goblin.config.json',
    }
  }
  if (wanted === 'tempo') {
    const port = options.config.stack.ports.tempo ?? DEFAULT_STACK_PORTS.tempo
    return { kind: 'tempo', endpoint: `http://127.0.0.1:${port}`, source: 'default' }
  }
  return { kind: 'embedded', endpoint: collectorUrl(options.home, options.config), source: 'default' }
}

/**
 * The OTLP/HTTP base URL goblin's own spans go to when OTEL_EXPORTER_OTLP_ENDPOINT is unset: the running
 * embedded collector, else the docker stack's collector, else the configured collector address.
 */
export function collectorUrl(home: string, config: ProjectConfig): string {
  const running = readEmbeddedState(home)
  if (running) return `http://${hostForUrl(running.host)}:${running.port}`
  const docker = readDockerState(home)
  if (docker?.otlpHttp) return docker.otlpHttp
  return `http://${hostForUrl(config.collector.host)}:${config.collector.port}`
}

function normalizeEndpoint(endpoint: string): string {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    throw usageError(
      'BAD_ENDPOINT',
      `"${endpoint}" is not a URL`,
      'Pass an http(s) URL such as http://127.0.0.1:3200.',
    )
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(
      'BAD_ENDPOINT',
      `"${endpoint}" is not an http(s) URL`,
      'Pass an http(s) URL such as http://127.0.0.1:3200.',
    )
  }
  return url.toString().replace(/\/+$/, '')
}
