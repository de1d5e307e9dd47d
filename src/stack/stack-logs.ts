import { existsSync } from 'node:fs'
import { usageError } from '../core/errors.js'
import { goblinHome as defaultGoblinHome } from '../core/paths.js'
import { parseTimePoint } from '../core/time-point.js'
import { dockerLogs, followDockerLogs } from './docker-runtime.js'
import { EMBEDDED_SERVICE, followEmbeddedLog, readEmbeddedLog } from './embedded-runtime.js'
import { embeddedLogFile } from './embedded-state.js'
import { linesSince } from './log-since.js'
import type { RuntimeChoice } from './runtime-select.js'
import type { RuntimeName } from './stack-report.js'
import { reachableDocker } from './stack-status.js'

export interface StackLogsOptions {
  service: string
  /** `--since`: a duration back from now or a time (see parseTimePoint). */
  since?: string
  /** Only the last N lines. */
  tail?: number
  runtime?: RuntimeChoice
  env?: NodeJS.ProcessEnv
}

export interface StackLogs {
  service: string
  runtime: RuntimeName
  lines: string[]
  /** The lines written after `lines`, until the service stops or `signal` aborts (`--follow`). */
  follow: (signal?: AbortSignal) => AsyncIterable<string>
}

/**
 * `goblin stack logs SERVICE`: a service's log lines, optionally since a time, and a way to follow it.
 * The embedded runtime's service is `collector`; any other name is looked up among goblin's containers.
 */
export async function stackLogs(options: StackLogsOptions): Promise<StackLogs> {
  const env = options.env ?? process.env
  const home = defaultGoblinHome(env)
  const since = options.since ? parseTimePoint(options.since, '--since') : null
  const choice = options.runtime ?? 'auto'
  const embeddedHasIt =
    options.service === EMBEDDED_SERVICE && (choice === 'embedded' || existsSync(embeddedLogFile(home)))
  if (choice === 'embedded' || (choice === 'auto' && embeddedHasIt)) {
    if (options.service !== EMBEDDED_SERVICE) {
      throw usageError(
        'STACK_UNKNOWN_SERVICE',
        `no service named ${options.service} in the embedded stack (it has: ${EMBEDDED_SERVICE})`,
        'Run goblin stack status to see the services that run.',
      )
    }
    const log = readEmbeddedLog(home)
    const lines = tail(since ? linesSince(log.lines, since) : log.lines, options.tail)
    return {
      service: EMBEDDED_SERVICE,
      runtime: 'embedded',
      lines,
      follow: (signal) => followEmbeddedLog(home, log.size, signal),
    }
  }
  const docker = await reachableDocker(env, choice === 'docker')
  if (!docker) {
    throw usageError(
      'STACK_UNKNOWN_SERVICE',
      `no service named ${options.service}: no Docker engine answers, and the embedded stack has only ${EMBEDDED_SERVICE}`,
      'Run goblin stack status to see the services that run.',
    )
  }
  const logs = await dockerLogs(docker, options.service, { since: since ?? undefined, tail: options.tail })
  return {
    service: options.service,
    runtime: 'docker',
    lines: logs.lines,
    follow: (signal) => followDockerLogs(docker, logs.container, signal),
  }
}

function tail(lines: string[], count: number | undefined): string[] {
  if (count === undefined) return lines
  return count === 0 ? [] : lines.slice(-count)
}
