import { usageError } from '../core/errors.js'
import { HASH_BYTES } from './merkle.js'
import { decodeBase64Strict } from './signed-note.js'

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
