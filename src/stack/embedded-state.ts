import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { homePaths } from '../core/paths.js'
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../core/private-state.js'
import { bootId, processEnvironment, recordedProcessState } from '../core/process-identity.js'

/** What the embedded runtime records about the background collector it started. */
export interface EmbeddedState {
  pid: number
  host: string
  /** The port the collector listens on; 0 until it has said which one it picked (for `--port 0`). */
  port: number
  startedAt: string
  logFile: string
  /**
   * Who the process is beyond its pid (set by `stack up`; absent in files of older versions): the
   * GOBLIN_HOME it serves (absolute), the kernel boot and the process's start time (a reused pid starts at
   * another time), and a random token the collector holds in its environment as GOBLIN_STACK_INSTANCE.
   */
  home?: string
  boot?: string | null
  pidns?: string | null
  start?: string | null
  token?: string
}

/** The environment variable that carries the stack's token into the collector it starts. */
export const STACK_INSTANCE_ENV = 'GOBLIN_STACK_INSTANCE'

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

/** The embedded collector's state when its process is alive (and, where recorded, not a reused pid), else null. */
export function readEmbeddedState(goblinHome: string): EmbeddedState | null {
  const state = readEmbeddedStateFile(goblinHome)
  return state && isRecordedCollectorAlive(state) ? state : null
}

/** Whether the recorded process still runs: by pid, and by boot and start time where the file has them. */
export function isRecordedCollectorAlive(state: EmbeddedState): boolean {
  if (!isProcessAlive(state.pid)) return false
  if (state.start === undefined || state.boot === undefined) return true
  return (
    recordedProcessState({
      pid: state.pid,
      boot: state.boot,
      pidns: state.pidns ?? null,
      start: state.start,
    }) !== 'gone'
  )
}

/**
 * Whether the recorded process is the collector `goblin stack up` started for this GOBLIN_HOME, the only
 * process `stack down` may signal: alive, started when the file says (not a reused pid), and holding the
 * file's token and this home in its own environment (a pid file copied from another home names that
 * home's collector). Without /proc only the home the file names and the pid can be checked.
 */
export function isStackCollector(state: EmbeddedState, goblinHome: string): boolean {
  if (state.token === undefined || state.home === undefined || resolve(state.home) !== resolve(goblinHome))
    return false
  if (!isRecordedCollectorAlive(state)) return false
  if (bootId() === null) return true
  const env = processEnvironment(state.pid)
  return (
    env !== null &&
    env.get(STACK_INSTANCE_ENV) === state.token &&
    resolve(env.get('GOBLIN_HOME') ?? '') === resolve(goblinHome)
  )
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
