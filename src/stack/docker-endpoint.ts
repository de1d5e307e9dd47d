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

/** `unix:///path` or `tcp://host:port`, for messages. */
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

/**
 * Asks the engine whether it answers (`GET /_ping`) and which it is, from the ping's `Server` and
 * `Api-Version` headers; only an engine whose ping lacks them is asked `/version` (slow on Podman, whose
 * `/version` gathers `podman info`). Throws an exit-3 error naming the endpoint when nothing answers.
 */
export async function pingDocker(endpoint: DockerEndpoint, timeoutMs = 2_000): Promise<DockerVersion> {
  const where = describeDockerEndpoint(endpoint)
  const ping = await engineGet(endpoint, '/_ping', timeoutMs)
  if (ping.status !== 200 || ping.body.trim() !== 'OK') {
    throw unreachableError('DOCKER_BAD_ANSWER', `${where} answered, but not as a Docker Engine API`)
  }
  const server = /^([\w.-]+)\/(\S+)/.exec(String(ping.headers.server ?? ''))
  const apiVersion = ping.headers['api-version']
  if (server && typeof apiVersion === 'string') {
    return {
      version: server[1] === 'Docker' ? (server[2] ?? 'unknown') : `${server[1]} ${server[2]}`,
      apiVersion,
    }
  }
  const version = await engineGet(endpoint, '/version', Math.max(timeoutMs, 5_000))
  try {
    const body = JSON.parse(version.body) as Record<string, string>
    return { version: body.Version ?? 'unknown', apiVersion: body.ApiVersion ?? 'unknown', os: body.Os }
  } catch {
    throw unreachableError('DOCKER_BAD_ANSWER', `${where} answered, but not as a Docker Engine API`)
  }
}

/** One GET to the engine; a refused, missing or silent endpoint is the exit-3 DOCKER_UNREACHABLE. */
function engineGet(
  endpoint: DockerEndpoint,
  path: string,
  timeoutMs: number,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const where = describeDockerEndpoint(endpoint)
  return new Promise((resolve, reject) => {
    const target = endpoint.kind === 'socket' ? { socketPath: endpoint.socketPath } : endpoint
    // node:http from getBuiltinModule: a static import builds its ES module namespace, which loads undici
    // (about 30 ms of every `goblin doctor`, which imports this module for its docker check).
    const { request } = process.getBuiltinModule('node:http')
    const req = request({ ...target, path, method: 'GET', timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      )
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
