import { usageError } from '../core/errors.js'
import { HASH_BYTES } from './merkle.js'
import { decodeBase64Strict, type NoteVerifier, openNote } from './signed-note.js'

/**
 * C2SP tlog-checkpoint bodies (https://c2sp.org/tlog-checkpoint): `<origin>\n<size>\n<base64 root>\n`,
 * optionally followed by extension lines. Signed as a signed note (signed-note.ts).
 */

export interface Checkpoint {
  origin: string
  size: number
  root: Buffer
  /** Extension lines after the root, kept verbatim. */
  extensions: string[]
}

/** The checkpoint body (the signed note's text). */
export function formatCheckpoint(
  checkpoint: Pick<Checkpoint, 'origin' | 'size' | 'root'> & { extensions?: string[] },
): string {
  if (!checkpoint.origin || /[\n\r]/.test(checkpoint.origin))
    throw usageError('AUDIT_BAD_ORIGIN', 'a checkpoint origin is one non-empty line')
  if (checkpoint.root.length !== HASH_BYTES) throw new RangeError('a checkpoint root is 32 bytes')
  const extensions = (checkpoint.extensions ?? []).map((line) => `${line}\n`).join('')
  return `${checkpoint.origin}\n${checkpoint.size}\n${checkpoint.root.toString('base64')}\n${extensions}`
}

/** Parses a checkpoint body; throws a usage error naming the bad line. */
export function parseCheckpoint(text: string, where = 'checkpoint'): Checkpoint {
  const bad = (line: number, why: string) =>
    usageError(
      'AUDIT_BAD_CHECKPOINT',
      `${where}: line ${line}: ${why}`,
      'A checkpoint is origin, size and base64 root hash, one per line (c2sp.org/tlog-checkpoint).',
    )
  if (!text.endsWith('\n')) throw bad(1, 'the checkpoint does not end in a newline')
  const lines = text.slice(0, -1).split('\n')
  const [origin, sizeText, rootText] = lines
  if (!origin) throw bad(1, 'the origin is empty')
  if (
    sizeText === undefined ||
    !/^(0|[1-9][0-9]*)$/.test(sizeText) ||
    !Number.isSafeInteger(Number(sizeText))
  )
    throw bad(2, 'the tree size is not a decimal number')
  const root = rootText === undefined ? null : decodeBase64Strict(rootText)
  if (!root || root.length !== HASH_BYTES) throw bad(3, 'the root hash is not 32 bytes of base64')
  const extensions = lines.slice(3)
  if (extensions.some((line) => line === '')) throw bad(4, 'an extension line is empty')
  return { origin, size: Number(sizeText), root, extensions }
}

/** Why a signed checkpoint was not accepted: its kind (as `goblin audit verify` names it) and the words. */
export interface CheckpointProblem {
  kind: 'checkpoint-signature' | 'bad-checkpoint' | 'checkpoint-origin'
  message: string
}

/**
 * Opens a signed checkpoint the way transparency-dev's verifier does: the signatures first (one trusted
 * key must verify, none may fail), and only then is the body parsed and its origin compared with the
 * origins expected (any, when `origins` is undefined).
 */
export function openCheckpoint(
  note: string,
  verifiers: NoteVerifier[],
  origins: string[] | undefined,
  where: string,
): { ok: true; checkpoint: Checkpoint; signers: string[] } | ({ ok: false } & CheckpointProblem) {
  let opened: ReturnType<typeof openNote>
  try {
    opened = openNote(note, verifiers)
  } catch (error) {
    return { ok: false, kind: 'bad-checkpoint', message: `${where}: ${(error as Error).message}` }
  }
  if (opened.failed.length > 0)
    return {
      ok: false,
      kind: 'checkpoint-signature',
      message: `${where}: the signature of ${opened.failed.map((s) => s.label).join(', ')} does not verify`,
    }
  if (opened.verified.length === 0)
    return {
      ok: false,
      kind: 'checkpoint-signature',
      message: `${where}: no trusted key signed it (signed by ${opened.unknown.map((s) => s.label).join(', ') || 'nobody'})`,
    }
  // It is now safe to parse.
  let checkpoint: Checkpoint
  try {
    checkpoint = parseCheckpoint(opened.text, where)
  } catch (error) {
    return { ok: false, kind: 'bad-checkpoint', message: (error as Error).message }
  }
  if (origins && !origins.includes(checkpoint.origin))
    return {
      ok: false,
      kind: 'checkpoint-origin',
      message: `${where}: origin "${checkpoint.origin}" is not the log's (${origins.map((o) => `"${o}"`).join(' or ')}): a checkpoint of another log`,
    }
  return { ok: true, checkpoint, signers: opened.verified.map((s) => s.label) }
}
