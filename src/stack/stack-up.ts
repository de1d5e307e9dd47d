import { hostForUrl } from '../core/http-url.js'
import { goblinHome as defaultGoblinHome } from '../core/paths.js'
import type { HookRunner } from '../plugins/hook-runner.js'
import { connectDocker } from './docker-client.js'
import { dockerUp } from './docker-runtime.js'
import { dockerStateOf, writeDockerState } from './docker-state.js'
import { embeddedUp } from './embedded-runtime.js'
import { readEmbeddedState } from './embedded-state.js'
import { type RuntimeChoice, selectRuntime } from './runtime-select.js'
import { planStack } from './stack-config.js'
import type { StackUpEvent, StackUpReport } from './stack-report.js'
import { embeddedAddress, loadStackConfig, runtimeChoice } from './stack-settings.js'
import { withStackLock } from './up-lock.js'

export interface StackUpOptions {
  runtime?: RuntimeChoice
  /** Embedded runtime: the collector's address (0 = any free port). */
  host?: string
  port?: number
  /** Docker runtime: `--image SERVICE=REF` overrides. */
  imageFlags?: string[]
  /** Runs plugins' `goblin:stack-services` hooks (docker runtime). */
  hooks?: HookRunner
  /** Per-service deadline for turning healthy (default: each service's own). */
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
    const built = await planStack({
      hooks: options.hooks,
      stage: 'local',
      imageFlags: options.imageFlags,
      cwd,
      env,
    })
    for (const warning of built.warnings) options.onEvent?.({ type: 'note', message: warning })
    const docker = await connectDocker(selected.endpoint)
    return withStackLock(home, async () => {
      const report = await dockerUp({
        docker,
        endpoint: selected.endpoint,
        plan: built.plan,
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        onEvent: options.onEvent,
        reason: `${selected.reason}, engine ${selected.engine}`,
      })
      const state = dockerStateOf(report.services)
      writeDockerState(home, state)
      return withOtlpEnv(report, state.otlpHttp)
    })
  }
  const address = embeddedAddress(config, options)
  return withStackLock(home, async () => {
    const report = await embeddedUp({
      goblinHome: home,
      ...address,
      timeoutMs: options.timeoutMs,
      env,
      cwd,
      signal: options.signal,
      onEvent: options.onEvent,
      reason: selected.reason,
    })
    const state = readEmbeddedState(home)
    return withOtlpEnv(report, state ? `http://${hostForUrl(state.host)}:${state.port}` : null)
  })
}

/** The report with the environment a shell needs to send its telemetry to this stack. */
function withOtlpEnv(report: StackUpReport, otlpHttp: string | null): StackUpReport {
  return otlpHttp ? { ...report, env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlpHttp } } : report
}
