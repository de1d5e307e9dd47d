import { goblinHome as defaultGoblinHome } from '../core/paths.js'
import { resolveDockerEndpoint } from './docker-endpoint.js'
import { dockerDown } from './docker-runtime.js'
import { removeDockerState } from './docker-state.js'
import { embeddedDown } from './embedded-runtime.js'
import type { RuntimeChoice } from './runtime-select.js'
import type { StackDownReport } from './stack-report.js'
import { reachableDocker } from './stack-status.js'
import { withStackLock } from './up-lock.js'

export interface StackDownOptions {
  runtime?: RuntimeChoice
  /** Also remove the stack's data: docker volumes, the embedded collector's log. */
  volumes?: boolean
  env?: NodeJS.ProcessEnv
}

/** `goblin stack down`: stops and removes only what goblin started, and says what that was. */
export async function stackDown(options: StackDownOptions = {}): Promise<StackDownReport> {
  const env = options.env ?? process.env
  const home = defaultGoblinHome(env)
  const choice = options.runtime ?? 'auto'
  return withStackLock(home, async () => {
    const report: StackDownReport = { removed: [], kept: [] }
    if (choice !== 'docker') {
      const embedded = await embeddedDown(home, { volumes: options.volumes })
      report.removed.push(...embedded.removed)
      report.kept.push(...embedded.kept)
    }
    if (choice !== 'embedded') {
      const docker = await reachableDocker(env, choice === 'docker')
      if (docker) {
        const result = await dockerDown(docker, resolveDockerEndpoint(env), { volumes: options.volumes })
        removeDockerState(home)
        report.removed.push(...result.removed)
        report.kept.push(...result.kept)
      }
    }
    return report
  })
}
