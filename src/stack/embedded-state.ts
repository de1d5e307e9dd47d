import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { homePaths } from '../core/paths.js'
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../core/private-state.js'

/** What the embedded runtime records about the background collector it started. */
export interface EmbeddedState {
  pid: number
  host: string
  /** The port the collector listens on; 0 until it has said which one it picked (for `--port 0`). */
  port: number
  startedAt: string
  logFile: string
}

/** `GOBLIN_HOME/stack/embedded.json`: the pid file of the embedded runtime. */
export function embeddedStateFile(goblinHome: string): string {
  return join(homePaths.stack(goblinHome), 'embedded.json')
}

/** `GOBLIN_HOME/stack/embedded.log`: where the background collector's stdout and stderr go. */
export function embeddedLogFile(goblinHome: string): string {
  return join(homePaths.stack(goblinHome), 'embedded.log')
}

/** The recorded state whether or not its process still lives; null when there is no (readable) file. */
export function readEmbeddedStateFile(goblinHome: string): EmbeddedState | null {
  try {
    const state = JSON.parse(readFileSync(embeddedStateFile(goblinHome), 'utf8')) as EmbeddedState
    return Number.isInteger(state.pid) && state.pid > 0 ? state : null
  } catch {
    return null
  }
}

/** The embedded collector's state when its process is alive, else null. */
export function readEmbeddedState(goblinHome: string): EmbeddedState | null {
  const state = readEmbeddedStateFile(goblinHome)
  return state && isProcessAlive(state.pid) ? state : null
}

/** Records the state atomically enough for a pid file: write a temp file, then rename over. */
export function writeEmbeddedState(goblinHome: string, state: EmbeddedState): void {
  ensurePrivateDir(homePaths.stack(goblinHome))
  const file = embeddedStateFile(goblinHome)
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: PRIVATE_FILE_MODE })
  // rename is atomic on one filesystem, so a reader never sees half a file.
  renameSync(`${file}.tmp`, file)
}

/** Forgets the embedded collector (after it stopped, or when its pid is stale). */
export function removeEmbeddedState(goblinHome: string): void {
  rmSync(embeddedStateFile(goblinHome), { force: true })
}

/** True when a process with this pid runs (signal 0 probes without signalling); a zombie counts as gone. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  return !isZombie(pid)
}

/**
 * A detached collector outlives the `stack up` that spawned it; when it exits, an init that does not reap
 * (as in some containers) leaves a zombie that signal 0 still finds. Linux's /proc says which it is.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z'
  } catch {
    return false
  }
}
