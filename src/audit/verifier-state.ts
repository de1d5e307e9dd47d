import { createHash } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { type Checkpoint, openCheckpoint } from './checkpoint.js'
import { makeDirDurably, writeFileDurably } from './durable-file.js'
import type { NoteVerifier } from './signed-note.js'

/**
 * What a verifier remembers, like a witness does: per log origin, the signed checkpoint of the largest
 * size it has verified, kept under GOBLIN_HOME/verified/<sha256(origin)>.note. A later verification that
 * finds the log shorter, that checkpoint gone, or a checkpoint not consistent with it, reports tampering
 * that a ledger directory alone (which an attacker with write access rewrites at will) cannot show.
 */

export interface RememberedCheckpoint {
  checkpoint: Checkpoint
  note: string
  path: string
  /** When it was remembered (the file's mtime). */
  since: string
}

/** The state file for `origin`. */
export function statePath(stateDir: string, origin: string): string {
  return join(stateDir, `${createHash('sha256').update(origin).digest('hex')}.note`)
}

/**
 * The checkpoint remembered for `origin`, re-verified with `verifiers`; null when none. Throws when the
 * state file no longer verifies (the state itself was tampered with, or the key that signed it is no
 * longer trusted).
 */
export function loadRemembered(
  stateDir: string,
  origin: string,
  verifiers: NoteVerifier[],
): RememberedCheckpoint | { problem: string; path: string } | null {
  const path = statePath(stateDir, origin)
  if (!existsSync(path)) return null
  const note = readFileSync(path, 'utf8')
  const opened = openCheckpoint(note, verifiers, [origin], path)
  if (!opened.ok) return { problem: opened.message, path }
  return { checkpoint: opened.checkpoint, note, path, since: statSync(path).mtime.toISOString() }
}

/** Remembers `note` (a verified checkpoint of `origin`) when it is larger than what is remembered. */
export function remember(stateDir: string, origin: string, note: string, size: number, known: number): void {
  if (size <= known && existsSync(statePath(stateDir, origin))) return
  makeDirDurably(stateDir)
  writeFileDurably(statePath(stateDir, origin), note)
}

/** A checkpoint the log must extend, and where it came from (this machine's state, or --since-checkpoint). */
export interface Reference {
  checkpoint: Checkpoint
  from: string
  file: string
  /** From this machine's state (its checkpoint must still be stored), not --since-checkpoint. */
  remembered: boolean
}

/**
 * The checkpoints a verification must extend: the one remembered for each expected origin (when state is
 * kept) and `since`, each verified again; one that does not verify goes to `fail` with its file.
 */
export function loadReferences(
  options: { stateDir?: string; since?: { note: string; file: string } },
  origins: string[] | undefined,
  verifiers: NoteVerifier[],
  fail: (message: string, file: string) => void,
): Reference[] {
  const references: Reference[] = []
  if (options.stateDir && origins) {
    for (const origin of origins) {
      const remembered = loadRemembered(options.stateDir, origin, verifiers)
      if (!remembered) continue
      if ('problem' in remembered) fail(`the remembered ${remembered.problem}`, remembered.path)
      else
        references.push({
          checkpoint: remembered.checkpoint,
          from: `verified on ${remembered.since}`,
          file: remembered.path,
          remembered: true,
        })
    }
  }
  if (options.since) {
    const opened = openCheckpoint(options.since.note, verifiers, origins, options.since.file)
    if (!opened.ok) fail(opened.message, options.since.file)
    else
      references.push({
        checkpoint: opened.checkpoint,
        from: options.since.file,
        file: options.since.file,
        remembered: false,
      })
  }
  return references
}
