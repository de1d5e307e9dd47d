import { spawn } from 'node:child_process'
import type { ProjectConfig } from '../core/config-schema.js'
import { unreachableError, usageError } from '../core/errors.js'
import { findOnPath } from '../core/executables.js'
import { collectorUrl } from '../trace/endpoints.js'
import { probeHttp } from './http-probe.js'

/** `goblin console --json`. */
export interface ConsoleLink {
  url: string
  /** The program that was asked to open it (xdg-open, open), or null when it was only printed. */
  openedWith: string | null
}

/**
 * The console's address on the collector goblin talks to (the running embedded stack, else the configured
 * collector), deep-linked to a trace when one is given. Throws COLLECTOR_UNREACHABLE (exit 3) when nothing answers
 * there as goblin's collector, so a user is never sent to a page that cannot load.
 */
export async function consoleUrl(home: string, config: ProjectConfig, traceId?: string): Promise<string> {
  if (traceId !== undefined && traceId !== 'latest' && !/^[0-9a-fA-F]{4,32}$/.test(traceId))
    throw usageError(
      'BAD_TRACE_ID',
      `"${traceId}" is not a trace id`,
      'Give a trace id, at least its first 4 hex digits (goblin trace list shows them), or latest.',
    )
  const base = collectorUrl(home, config)
  const answer = await probeHttp(`${base}/health`)
  if (answer?.status !== 200 || !answer.body.includes('goblin-collector'))
    throw unreachableError(
      'COLLECTOR_UNREACHABLE',
      `no goblin collector answers at ${base}`,
      'Start one with goblin stack up (or goblin collector serve), then run goblin console again.',
    )
  const hash = traceId === undefined ? '' : `#/trace/${traceId.toLowerCase()}`
  return `${base}/console/${hash}`
}

/**
 * The program that opens a URL in the user's browser, or null where there is none to ask: `open` on
 * macOS, `xdg-open` on other Unix desktops (only with a display: on a server it would start a text browser
 * or fail), nothing on Windows' `start` (a shell built-in) or without a display.
 */
export async function browserOpener(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | null> {
  if (platform === 'darwin') return findOnPath('open', env)
  if (platform === 'win32') return null
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return null
  return findOnPath('xdg-open', env)
}

/** Asks `opener` to open `url`, without waiting for the browser (it may outlive goblin). */
export function openWith(opener: string, url: string): void {
  const child = spawn(opener, [url], { detached: true, stdio: 'ignore' })
  child.on('error', () => {})
  child.unref()
}
