import { readFileSync } from 'node:fs'
import { type ErrorCode, GoblinError } from './errors.js'

/**
 * What a failed file-system call means to the user, for errors no module caught itself: a directory where
 * goblin needs a file, a file where it needs a directory, a file it may not touch. These are the user's to
 * fix (exit 2), not goblin bugs (INTERNAL). Returns null for anything else.
 */
export function fileSystemError(error: unknown): GoblinError | null {
  const e = error as NodeJS.ErrnoException
  if (typeof e?.code !== 'string') return null
  const problem = PROBLEMS[e.code]
  if (!problem) return null
  // A read of an open file descriptor has no path to name (readFileSync of a directory): say what was seen.
  const where =
    typeof e.path === 'string' ? e.path : `a path goblin uses (${e.code} in ${e.syscall ?? 'a file call'})`
  return new GoblinError(problem.code, `${where}: ${problem.what}`, {
    hint: problem.hint,
    cause: error,
  })
}

const HOME_HINT = 'Check GOBLIN_HOME and the paths in goblin.config.json (goblin doctor --only goblin-home).'

const PROBLEMS: Record<string, { code: ErrorCode; what: string; hint: string }> = {
  EISDIR: {
    code: 'FS_IS_DIRECTORY',
    what: 'is a directory where goblin needs a file',
    hint: `Move the directory aside, or point goblin at the file. ${HOME_HINT}`,
  },
  ENOTDIR: {
    code: 'FS_NOT_DIRECTORY',
    what: 'a file stands where goblin needs a directory on this path',
    hint: `Move the file aside, or point goblin elsewhere. ${HOME_HINT}`,
  },
  EACCES: {
    code: 'FS_PERMISSION',
    what: 'permission denied',
    hint: `Check its owner and mode. ${HOME_HINT}`,
  },
  EPERM: {
    code: 'FS_PERMISSION',
    what: 'operation not permitted',
    hint: `Check its owner and mode. ${HOME_HINT}`,
  },
  EROFS: { code: 'FS_READ_ONLY', what: 'the file system is read-only', hint: HOME_HINT },
  ELOOP: {
    code: 'FS_SYMLINK',
    what: 'is a symbolic link (or a loop of them) where goblin needs a real file',
    hint: 'Replace the link with the file itself: goblin does not follow links for files it writes.',
  },
}

/** readFileSync as text, with the path on the error (Node leaves it off when the path is a directory). */
export function readTextFile(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).path === undefined) (error as NodeJS.ErrnoException).path = path
    throw error
  }
}
