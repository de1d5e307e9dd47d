import { constants, lstatSync, mkdirSync, openSync, statSync } from 'node:fs'
import { usageError } from './errors.js'

/**
 * goblin's state is private to the user who runs it: files 0600, directories 0700 when goblin creates
 * them. Where a secret is written (the keys directory), an existing directory must also be the user's and
 * writable by nobody else, and files are created with O_EXCL|O_NOFOLLOW: a link planted by someone who
 * could write there would otherwise receive the private key.
 */

export const PRIVATE_FILE_MODE = 0o600
export const PRIVATE_DIR_MODE = 0o700

/** Creates `dir` and any missing parents with mode 0700; an existing directory is left as it is. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
}

/**
 * Creates `dir` like ensurePrivateDir, then refuses it unless it is a directory owned by this user that
 * neither group nor others can write (they could plant a link or swap a file in it). `what` names it.
 */
export function ensureSecretDir(dir: string, what: string): void {
  ensurePrivateDir(dir)
  const stat = statSync(dir)
  const mode = stat.mode & 0o777
  const uid = process.getuid?.()
  if (uid !== undefined && stat.uid !== uid)
    throw usageError(
      'UNSAFE_SECRET_DIR',
      `${what} ${dir} belongs to user ${stat.uid}, not to you (${uid}): goblin keeps secrets only in a directory of yours`,
      `Point GOBLIN_HOME at a directory you own, or have its owner hand it over (chown -R ${uid} ${dir}).`,
    )
  if ((mode & 0o022) !== 0)
    throw usageError(
      'UNSAFE_SECRET_DIR',
      `${what} ${dir} has mode ${formatMode(mode)}: others can write to it, and a link planted there would receive a private key`,
      `Run chmod 700 ${dir}, and check that nothing in it was planted.`,
    )
}

/**
 * Opens a new file for writing that must not exist yet, without following a link at its path: an existing
 * file or a planted link fails with EEXIST rather than being written through. Returns the descriptor.
 */
export function createExclusive(path: string, mode = PRIVATE_FILE_MODE): number {
  return openSync(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    mode,
  )
}

/**
 * Refuses a secret file goblin is about to read unless it is a regular file (not a link), this user's, and
 * readable by nobody else; `what` names it in the error.
 */
export function checkSecretFile(path: string, what: string): void {
  const stat = lstatSync(path)
  const uid = process.getuid?.()
  if (stat.isSymbolicLink() || !stat.isFile())
    throw usageError(
      'UNSAFE_SECRET_FILE',
      `${what} ${path} is ${stat.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}: goblin reads secrets only from a file of its own`,
      'Replace it with the key file itself (mode 0600), or rotate to a new key.',
    )
  if (uid !== undefined && stat.uid !== uid)
    throw usageError(
      'UNSAFE_SECRET_FILE',
      `${what} ${path} belongs to user ${stat.uid}, not to you (${uid})`,
      `Check who put it there; rotate to a new key if in doubt.`,
    )
  if ((stat.mode & 0o077) !== 0)
    throw usageError(
      'UNSAFE_SECRET_FILE',
      `${what} ${path} has mode ${formatMode(stat.mode & 0o777)}: others can read it`,
      `Run chmod 600 ${path}; if others may have read it, rotate the key (goblin audit keys rotate).`,
    )
}

function formatMode(mode: number): string {
  return mode.toString(8).padStart(4, '0')
}
