import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { GoblinError } from '../core/errors.js'
import { homePaths } from '../core/paths.js'
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../core/private-state.js'
import { type ProcessIdentity, processIdentity, recordedProcessState } from '../core/process-identity.js'

/**
 * Runs `work` while holding `GOBLIN_HOME/stack/up.lock`, so two `goblin stack up` (or an `up` and a
 * `down`) never race to start the same services. A lock left by a process that died is taken over, and so
 * is one whose pid now belongs to a process that started at another time (a reused pid).
 */
export async function withStackLock<T>(goblinHome: string, work: () => Promise<T>): Promise<T> {
  const dir = homePaths.stack(goblinHome)
  ensurePrivateDir(dir)
  const file = join(dir, 'up.lock')
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx', PRIVATE_FILE_MODE)
      writeSync(fd, JSON.stringify(processIdentity()))
      closeSync(fd)
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw lockError(file, error)
      const holder = readHolder(file)
      if (holder && holder.pid !== process.pid && recordedProcessState(holder) !== 'gone') {
        throw new GoblinError(
          'STACK_BUSY',
          `another goblin stack command (pid ${holder.pid}) is starting or stopping the stack`,
          { hint: 'Wait for it to finish, then run this again.' },
        )
      }
      rmSync(file, { force: true })
    }
  }
  try {
    return await work()
  } finally {
    rmSync(file, { force: true })
  }
}

/** The process the lock file names (a bare pid in files of older versions); null when unreadable. */
function readHolder(file: string): ProcessIdentity | null {
  let text: string
  try {
    text = readFileSync(file, 'utf8').trim()
  } catch {
    return null
  }
  if (/^\d+$/.test(text)) return { pid: Number(text), boot: null, pidns: null, start: null }
  try {
    const holder = JSON.parse(text) as ProcessIdentity
    return Number.isSafeInteger(holder.pid) ? holder : null
  } catch {
    return null
  }
}

function lockError(file: string, cause: unknown): GoblinError {
  return new GoblinError('STACK_LOCK', `cannot take the stack lock ${file}: ${(cause as Error).message}`, {
    hint: 'Check that GOBLIN_HOME is writable (goblin doctor --only goblin-home).',
    cause,
  })
}
