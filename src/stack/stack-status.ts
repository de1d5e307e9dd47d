import { goblinHome as defaultGoblinHome } from '../core/paths.js'
import { embeddedStatus, embeddedUrls } from './embedded-runtime.js'
import { readEmbeddedStateFile } from './embedded-state.js'
import type { RuntimeChoice } from './runtime-select.js'
import type { RuntimeName, ServiceStatus, StackStatusReport, StackUrl } from './stack-report.js'

export interface StackStatusOptions {
  runtime?: RuntimeChoice
  env?: NodeJS.ProcessEnv
}

/** `goblin stack status`: every service goblin runs, in either runtime (auto looks at both). */
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
  return { runtimes, services, urls }
}

/** True when at least one service runs and every service is running and not unhealthy. */
export function isStackHealthy(report: StackStatusReport): boolean {
  return (
    report.services.length > 0 &&
    report.services.every((s) => s.state === 'running' && (s.health === 'healthy' || s.health === 'none'))
  )
}
