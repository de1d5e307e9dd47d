import { describeDockerEndpoint, pingDocker, resolveDockerEndpoint } from '../../stack/docker-endpoint.js'
import type { Check } from '../check.js'

export const dockerEngineCheck: Check = {
  id: 'docker',
  title: 'Docker engine',
  async run({ env }) {
    let endpoint: ReturnType<typeof resolveDockerEndpoint>
    try {
      endpoint = resolveDockerEndpoint(env)
    } catch (error) {
      return { status: 'fail', detail: (error as Error).message, fix: 'Fix or unset DOCKER_HOST.' }
    }
    try {
      const version = await pingDocker(endpoint)
      return {
        status: 'ok',
        detail: `${describeDockerEndpoint(endpoint)}: engine ${version.version}, API ${version.apiVersion}`,
      }
    } catch {
      return {
        status: 'warn',
        detail: `no engine at ${describeDockerEndpoint(endpoint)}; the embedded stack will serve`,
        fix: 'Start Docker (or set DOCKER_HOST) for the full stack; goblin stack up uses the embedded runtime meanwhile.',
      }
    }
  },
}
