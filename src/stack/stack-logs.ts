import { usageError } from '../core/errors.js'
import { goblinHome as defaultGoblinHome } from '../core/paths.js'
import { EMBEDDED_SERVICE, followEmbeddedLog, readEmbeddedLog } from './embedded-runtime.js'
import { linesSince, parseSince } from './log-since.js'
import type { RuntimeChoice } from './runtime-select.js'
import type { RuntimeName } from './stack-report.js'

export interface StackLogsOptions {
  service: string
  /** `--since`: a duration back from now or a time (see parseSince). */
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

/** `goblin stack logs SERVICE`: a service's log lines, optionally since a time, and a way to follow it. */
export async function stackLogs(options: StackLogsOptions): Promise<StackLogs> {
  const env = options.env ?? process.env
  const home = defaultGoblinHome(env)
  const since = options.since ? parseSince(options.since) : null
  if (options.service !== EMBEDDED_SERVICE) {
    throw usageError(
      'STACK_UNKNOWN_SERVICE',
      `no service named ${options.service} in the embedded stack (it has: ${EMBEDDED_SERVICE})`,
      'Run goblin stack status to see the services that run.',
    )
  }
  const log = readEmbeddedLog(home)
  let lines = since ? linesSince(log.lines, since) : log.lines
  if (options.tail !== undefined) lines = options.tail === 0 ? [] : lines.slice(-options.tail)
  return {
    service: EMBEDDED_SERVICE,
    runtime: 'embedded',
    lines,
    follow: (signal) => followEmbeddedLog(home, log.size, signal),
  }
}
