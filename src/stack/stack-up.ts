import { GoblinError } from '../core/errors.js'
import { goblinHome as defaultGoblinHome } from '../core/paths.js'
import { embeddedUp } from './embedded-runtime.js'
import { type RuntimeChoice, selectRuntime } from './runtime-select.js'
import type { StackUpEvent, StackUpReport } from './stack-report.js'
import { embeddedAddress, loadStackConfig, runtimeChoice } from './stack-settings.js'
import { withStackLock } from './up-lock.js'

export interface StackUpOptions {
  runtime?: RuntimeChoice
  /** Embedded runtime: the collector's address (0 = any free port). */
  host?: string
  port?: number
  /** Per-service deadline for turning healthy. */
  timeoutMs?: number
  cwd?: string
  env?: NodeJS.ProcessEnv
  signal?: AbortSignal
  onEvent?: (event: StackUpEvent) => void
}

/** `goblin stack up`: picks the runtime (auto: docker when an engine answers) and brings the stack up. */
export async function stackUp(options: StackUpOptions = {}): Promise<StackUpReport> {
  const env = options.env ?? process.env
  const cwd = options.cwd ?? process.cwd()
  const config = loadStackConfig(cwd)
  const selected = await selectRuntime(runtimeChoice(config, options.runtime), env)
  const home = defaultGoblinHome(env)
  if (selected.runtime === 'docker') {
    throw new GoblinError('STACK_DOCKER_PENDING', 'the docker runtime is not built yet', { exit: 1 })
  }
  const address = embeddedAddress(config, options)
  return withStackLock(home, () =>
    embeddedUp({
      goblinHome: home,
      ...address,
      timeoutMs: options.timeoutMs,
      env,
      cwd,
      signal: options.signal,
      onEvent: options.onEvent,
      reason: selected.reason,
    }),
  )
}
