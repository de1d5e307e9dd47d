import {
  type DockerEndpoint,
  describeDockerEndpoint,
  pingDocker,
  resolveDockerEndpoint,
} from './docker-endpoint.js'
import type { RuntimeName } from './stack-report.js'

export type RuntimeChoice = 'auto' | RuntimeName

/** The runtime `up` will use, with the engine it found (docker) and a one-line reason. */
export type SelectedRuntime =
  | { runtime: 'docker'; endpoint: DockerEndpoint; engine: string; reason: string }
  | { runtime: 'embedded'; reason: string }

/** How long `auto` waits for an engine before it settles for the embedded runtime. */
const AUTO_PING_MS = 1_500

/**
 * Resolves `--runtime`: `docker` needs an engine (exit 3 with the fix when none answers), `embedded` is
 * always there, `auto` takes docker when an engine answers at DOCKER_HOST (or the default socket).
 */
export async function selectRuntime(
  choice: RuntimeChoice,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SelectedRuntime> {
  if (choice === 'embedded') return { runtime: 'embedded', reason: 'embedded runtime requested' }
  const endpoint = resolveDockerEndpoint(env)
  const where = describeDockerEndpoint(endpoint)
  if (choice === 'docker') {
    const version = await pingDocker(endpoint)
    return {
      runtime: 'docker',
      endpoint,
      engine: `${version.version} (API ${version.apiVersion})`,
      reason: `docker runtime requested: engine at ${where}`,
    }
  }
  try {
    const version = await pingDocker(endpoint, AUTO_PING_MS)
    return {
      runtime: 'docker',
      endpoint,
      engine: `${version.version} (API ${version.apiVersion})`,
      reason: `auto: a Docker engine answers at ${where}`,
    }
  } catch {
    return { runtime: 'embedded', reason: `auto: no Docker engine answers at ${where}` }
  }
}

/** The values `--runtime` takes on the stack commands. */
export const RUNTIME_CHOICES = ['auto', 'docker', 'embedded'] as const
