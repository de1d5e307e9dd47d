import { goblinHome as defaultGoblinHome } from '../core/paths.js'
import { connectDocker } from './docker-client.js'
import { pingDocker, resolveDockerEndpoint } from './docker-endpoint.js'
import { dockerStatus, dockerUrls } from './docker-runtime.js'
import { embeddedStatus, embeddedUrls } from './embedded-runtime.js'
import { readEmbeddedStateFile } from './embedded-state.js'
import type { RuntimeChoice } from './runtime-select.js'
import type { RuntimeName, ServiceStatus, StackStatusReport, StackUrl } from './stack-report.js'

export interface StackStatusOptions {
  runtime?: RuntimeChoice
  env?: NodeJS.ProcessEnv
}

/**
 * `goblin stack status`: every service goblin runs. `auto` looks at both runtimes (docker only when an
 * engine answers); `docker` requires the engine (exit 3 when none answers).
 */
export async function stackStatus(options: StackStatusOptions = {}): Promise<StackStatusReport> {
  const env = options.env ?? process.env
  const home = defaultGoblinHome(env)
  const choice = options.runtime ?? 'auto'
  const services: ServiceStatus[] = []
  const urls: StackUrl[] = []
  const runtimes: RuntimeName[] = []
  if (choice !== 'docker') {
    const embedded = await embeddedStatus(home)
    if (embedded) {
      runtimes.push('embedded')
      services.push(embedded)
      const state = readEmbeddedStateFile(home)
      if (state && embedded.state === 'running') urls.push(...embeddedUrls(state.host, state.port))
    }
  }
  if (choice !== 'embedded') {
    const docker = await reachableDocker(env, choice === 'docker')
    if (docker) {
      const containers = await dockerStatus(docker)
      if (containers.length > 0) {
        runtimes.push('docker')
        services.push(...containers)
        urls.push(...dockerUrls(containers))
      }
    }
  }
  return { runtimes, services, urls }
}

/** True when at least one service runs and every service is running and not unhealthy. */
export function isStackHealthy(report: StackStatusReport): boolean {
  return (
    report.services.length > 0 &&
    report.services.every((s) => s.state === 'running' && (s.health === 'healthy' || s.health === 'none'))
  )
}

/** A client when an engine answers; when `required`, no engine is an exit-3 error instead of null. */
export async function reachableDocker(env: NodeJS.ProcessEnv, required: boolean) {
  const endpoint = resolveDockerEndpoint(env)
  try {
    await pingDocker(endpoint, required ? 2_000 : 1_000)
  } catch (error) {
    if (required) throw error
    return null
  }
  return connectDocker(endpoint)
}
