import type Docker from 'dockerode'
import { GoblinError, unreachableError } from '../core/errors.js'
import { type DockerEndpoint, describeDockerEndpoint } from './docker-endpoint.js'

/** A dockerode client for the endpoint; dockerode loads only here, when the docker runtime is used. */
export async function connectDocker(endpoint: DockerEndpoint): Promise<Docker> {
  const { default: DockerClient } = await import('dockerode')
  return endpoint.kind === 'socket'
    ? new DockerClient({ socketPath: endpoint.socketPath })
    : new DockerClient({ host: endpoint.host, port: endpoint.port, protocol: 'http' })
}

/** What the engine said in a failed API call: its JSON message, else the error's own. */
export function engineMessage(error: unknown): string {
  const e = error as { json?: { message?: string }; reason?: string; message?: string }
  return e.json?.message ?? e.message ?? e.reason ?? String(error)
}

/** The HTTP status of a failed Engine API call, when there was one. */
export function engineStatus(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode
}

/** Turns a failed Engine API call into a GoblinError: no answer is exit 3, an engine refusal exit 1. */
export function engineError(endpoint: DockerEndpoint, what: string, error: unknown): GoblinError {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'ECONNRESET' || code === 'EPIPE') {
    return unreachableError(
      'DOCKER_UNREACHABLE',
      `the Docker engine at ${describeDockerEndpoint(endpoint)} stopped answering while ${what} (${code})`,
      'Check that the engine runs (goblin doctor --only docker), then run the command again.',
      error,
    )
  }
  return new GoblinError('DOCKER_API', `the Docker engine refused ${what}: ${engineMessage(error)}`, {
    hint: "Read the engine's message above; goblin stack down cleans up what goblin started.",
    cause: error,
  })
}
