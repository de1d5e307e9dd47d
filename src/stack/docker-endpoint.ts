import { request } from 'node:http'
import { unreachableError, usageError } from '../core/errors.js'

/** Where the Docker Engine API answers: a unix socket or a TCP host:port. */
export type DockerEndpoint =
  | { kind: 'socket'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number }

/** Resolves `DOCKER_HOST` (unix:// or tcp://), defaulting to /var/run/docker.sock. */
export function resolveDockerEndpoint(env: NodeJS.ProcessEnv = process.env): DockerEndpoint {
  const value = env.DOCKER_HOST?.trim()
  if (!value) return { kind: 'socket', socketPath: '/var/run/docker.sock' }
  if (value.startsWith('unix://')) return { kind: 'socket', socketPath: value.slice('unix://'.length) }
  if (value.startsWith('tcp://') || value.startsWith('http://')) {
    const url = new URL(value.replace(/^tcp:/, 'http:'))
    return { kind: 'tcp', host: url.hostname, port: Number(url.port || 2375) }
  }
  throw usageError(
    'DOCKER_HOST_INVALID',
    `DOCKER_HOST=${value} is neither unix:///path nor tcp://host:port`,
    'Set DOCKER_HOST to unix:///var/run/docker.sock or tcp://127.0.0.1:2375, or unset it.',
  )
}

export function describeDockerEndpoint(endpoint: DockerEndpoint): string {
  return endpoint.kind === 'socket'
    ? `unix://${endpoint.socketPath}`
    : `tcp://${endpoint.host}:${endpoint.port}`
}

export interface DockerVersion {
  version: string
  apiVersion: string
  os?: string
}

/** Asks the engine for `/version`; throws an exit-3 error naming the endpoint when it does not answer. */
export function pingDocker(endpoint: DockerEndpoint, timeoutMs = 2_000): Promise<DockerVersion> {
  const where = describeDockerEndpoint(endpoint)
  return new Promise((resolve, reject) => {
    const target = endpoint.kind === 'socket' ? { socketPath: endpoint.socketPath } : endpoint
    const req = request({ ...target, path: '/version', method: 'GET', timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, string>
          resolve({
            version: body.Version ?? 'unknown',
            apiVersion: body.ApiVersion ?? 'unknown',
            os: body.Os,
          })
        } catch {
          reject(unreachableError('DOCKER_BAD_ANSWER', `${where} answered, but not as a Docker Engine API`))
        }
      })
    })
    req.on('timeout', () => req.destroy(new Error('timed out')))
    req.on('error', (error) =>
      reject(
        unreachableError(
          'DOCKER_UNREACHABLE',
          `no Docker engine answers at ${where} (${(error as NodeJS.ErrnoException).code ?? error.message})`,
          "Start Docker (or Podman's Docker API service) and set DOCKER_HOST, or use the embedded runtime: goblin stack up --runtime embedded.",
          error,
        ),
      ),
    )
    req.end()
  })
}
