import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { usageError } from '../core/errors.js'
import { canonicalJson } from './canonical-json.js'
import { openCheckpoint } from './checkpoint.js'
import { latestCheckpoint } from './checkpoint-store.js'
import { HASH_BYTES, leafHash, verifyInclusion } from './merkle.js'
import { checkQuorum, type Policy } from './policy.js'
import { entryFromTiles, entryProblem, keyTable } from './remote-verify.js'
import { decodeBase64Strict } from './signed-note.js'
import { LATEST_CHECKPOINT_FILE, localTileFetch } from './tile-store.js'
import type { TrustedKey, VerifyError } from './verify.js'

/**
 * C2SP tlog-proof (https://c2sp.org/tlog-proof): one entry's offline proof, a `.tlog-proof` file. The
 * `extra` line carries the entry's own ledger line (unauthenticated by itself: its leaf hash must be the
 * one the inclusion proof binds to the checkpoint's root), then the index, the inclusion proof (one
 * base64 hash a line, leaf's sibling first), a blank line and the checkpoint note with its signatures
 * and witness cosignatures. The file alone suffices: no ledger, no network.
 */

const HEADER = 'c2sp.org/tlog-proof@v1'

export interface TlogProof {
  extra: Buffer | null
  index: number
  proof: Buffer[]
  /** The checkpoint note, verbatim. */
  checkpoint: string
}

/** The `.tlog-proof` text. */
export function formatTlogProof(p: TlogProof): string {
  const extra = p.extra ? `extra ${p.extra.toString('base64')}\n` : ''
  const proof = p.proof.map((h) => `${h.toString('base64')}\n`).join('')
  return `${HEADER}\n${extra}index ${p.index}\n${proof}\n${p.checkpoint}`
}

/** Parses a `.tlog-proof`; throws a usage error (exit 2) naming the line that is malformed. */
export function parseTlogProof(text: string, where: string): TlogProof {
  const bad = (line: number, why: string) =>
    usageError(
      'AUDIT_BAD_PROOF',
      `${where}:${line}: ${why}`,
      'A .tlog-proof is laid out as c2sp.org/tlog-proof@v1 says.',
    )
  const blank = text.indexOf('\n\n')
  if (blank < 0) throw bad(1, 'no blank line before the checkpoint')
  const lines = text.slice(0, blank).split('\n')
  if (lines[0] !== HEADER) throw bad(1, `the first line is not ${HEADER}`)
  let at = 1
  let extra: Buffer | null = null
  if (lines[at]?.startsWith('extra ')) {
    extra = decodeBase64Strict((lines[at] as string).slice('extra '.length))
    if (!extra) throw bad(at + 1, 'the extra data is not base64')
    at++
  }
  const indexLine = lines[at] ?? ''
  const match = /^index (0|[1-9][0-9]*)$/.exec(indexLine)
  if (!match || !Number.isSafeInteger(Number(match[1]))) throw bad(at + 1, 'expected "index N"')
  const proof = lines.slice(at + 1).map((line, i) => {
    const hash = decodeBase64Strict(line)
    if (!hash || hash.length !== HASH_BYTES)
      throw bad(at + 2 + i, 'a proof line is not a base64 SHA-256 hash')
    return hash
  })
  return { extra, index: Number(match[1]), proof, checkpoint: text.slice(blank + 2) }
}

/**
 * The `.tlog-proof` of entry `index` of the ledger, against its published checkpoint (with whatever
 * cosignatures it carries), built from the ledger's tiles; the proof is checked before it is returned.
 */
export async function proveEntryBundle(
  ledgerDir: string,
  index: number,
  verifiers: TrustedKey[],
): Promise<string> {
  const published = join(ledgerDir, LATEST_CHECKPOINT_FILE)
  const note = existsSync(published) ? readFileSync(published, 'utf8') : latestCheckpoint(ledgerDir)?.note
  if (!note)
    throw usageError(
      'AUDIT_NO_TILES',
      `the ledger in ${ledgerDir} has no checkpoint`,
      'Run goblin audit checkpoint first.',
    )
  const opened = openCheckpoint(
    note,
    verifiers.map((t) => t.verifier),
    undefined,
    published,
  )
  if (!opened.ok)
    throw usageError('AUDIT_BAD_PROOF', `${published}: ${opened.message}`, 'Run goblin audit verify.')
  const { size, root } = opened.checkpoint
  if (!Number.isSafeInteger(index) || index < 0 || index >= size)
    throw usageError(
      'AUDIT_BAD_INDEX',
      `--index ${index}: the latest checkpoint covers entries 0..${size - 1}`,
      'Pick a smaller index, or run goblin audit checkpoint to cover newer entries.',
    )
  const found = await entryFromTiles(localTileFetch(ledgerDir), index, size).catch((error: Error) => {
    throw usageError(
      'AUDIT_NO_TILES',
      `${error.message}`,
      'Run goblin audit checkpoint: it writes the tiles.',
    )
  })
  if ('kind' in found)
    throw usageError('AUDIT_BAD_PROOF', `${found.kind}: ${found.message}`, 'Run goblin audit verify.')
  const check = verifyInclusion(index, size, found.leaf, found.proof, root)
  if (!check.ok)
    throw usageError('AUDIT_BAD_PROOF', `entry ${index}: ${check.reason}`, 'Run goblin audit verify.')
  return formatTlogProof({ extra: found.entry, index, proof: found.proof, checkpoint: note })
}

export interface ProofVerdict {
  ok: boolean
  index: number
  checkpoint: { origin: string; size: number; root: string } | null
  /** The entry the proof is for (from --entry, else the extra line). */
  entry: unknown
  cosigned_by: string[]
  errors: VerifyError[]
}

/**
 * Verifies a parsed `.tlog-proof` offline: the checkpoint signed by a trusted log key (of an expected
 * origin), the policy's quorum of witness cosignatures when a policy is given, the entry (given, else the
 * extra line) well-formed and signed under a trusted key with seq = index, and the inclusion proof from its
 * leaf hash to the checkpoint's root.
 */
export function verifyTlogProof(
  proof: TlogProof,
  options: { trusted: TrustedKey[]; origins?: string[]; policy?: Policy; entry?: Buffer; where: string },
): ProofVerdict {
  const errors: VerifyError[] = []
  const fail = (kind: string, message: string) =>
    errors.push({ seq: proof.index, line: null, kind, message, file: options.where })
  const verdict: ProofVerdict = {
    ok: false,
    index: proof.index,
    checkpoint: null,
    entry: null,
    cosigned_by: [],
    errors,
  }
  const logKeys = options.policy
    ? options.policy.logs.map((l) => l.verifier)
    : options.trusted.map((t) => t.verifier)
  const origins =
    options.origins ?? (options.policy ? options.policy.logs.map((l) => l.verifier.name) : undefined)
  const opened = openCheckpoint(proof.checkpoint, logKeys, origins, `${options.where}: its checkpoint`)
  if (!opened.ok) {
    fail(opened.kind, opened.message)
    return verdict
  }
  const { checkpoint } = opened
  verdict.checkpoint = {
    origin: checkpoint.origin,
    size: checkpoint.size,
    root: checkpoint.root.toString('hex'),
  }
  if (options.policy) {
    const quorum = checkQuorum(options.policy, proof.checkpoint)
    verdict.cosigned_by = quorum.witnessed
    for (const f of quorum.failed)
      fail('cosignature-invalid', `the cosignature of ${f.label} does not verify`)
    if (!quorum.ok && quorum.failed.length === 0)
      fail(
        'checkpoint-quorum',
        `the checkpoint is cosigned by ${quorum.witnessed.join(', ') || 'no witness of the policy'}, which does not meet quorum ${options.policy.quorum}`,
      )
  }
  const entry = options.entry ? canonicalEntry(options.entry, options.where) : proof.extra
  if (!entry) {
    fail('modified-entry', 'the proof carries no entry (no extra line) and none was given with --entry')
    return verdict
  }
  if (options.entry && proof.extra && !proof.extra.equals(entry))
    fail('modified-entry', 'the entry given with --entry is not the one the proof carries')
  verdict.entry = JSON.parse(entry.toString('utf8'))
  const problem = entryProblem(entry, proof.index, keyTable(options.trusted))
  if (problem) fail(problem.kind, problem.message)
  const included = verifyInclusion(
    proof.index,
    checkpoint.size,
    leafHash(entry),
    proof.proof,
    checkpoint.root,
  )
  if (!included.ok) fail('not-included', included.reason)
  verdict.ok = errors.length === 0
  return verdict
}

/** An envelope file as the ledger line it must be: its canonical JSON. */
function canonicalEntry(bytes: Buffer, where: string): Buffer {
  try {
    return Buffer.from(canonicalJson(JSON.parse(bytes.toString('utf8'))), 'utf8')
  } catch {
    throw usageError(
      'AUDIT_BAD_PROOF',
      `${where}: --entry is not a JSON envelope`,
      'Give the envelope (one JSON object).',
    )
  }
}
