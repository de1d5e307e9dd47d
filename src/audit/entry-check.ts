import type { KeyObject } from 'node:crypto'
import { canonicalJson } from './canonical-json.js'
import { ED25519_SIGNATURE_BYTES, ed25519Verify, publicKeyFromRaw } from './ed25519.js'
import { ENVELOPE_VERSION, isTraceId, TIMESTAMP_PATTERN } from './envelope.js'
import { leafHash } from './merkle.js'
import { decodeBase64Strict } from './signed-note.js'

/**
 * Checks ledger lines one by one: the line is a canonical-JSON envelope with every field well-formed,
 * names a known key, and its signature verifies; and computes each line's Merkle leaf hash. Results go
 * into flat typed arrays so worker threads can fill disjoint slices of shared memory.
 * Positional checks (seq continuity, key windows, checkpoints) need the whole log and live in verify.ts.
 */

export const EntryStatus = { ok: 0, modified: 1, unknownKey: 2, badSignature: 3 } as const

/** The keys entries may name: parallel arrays so the table crosses to workers as plain data. */
export interface KeyTable {
  kids: string[]
  /** Raw 32-byte Ed25519 public keys. */
  publicKeys: Uint8Array[]
}

/** Where checkRange writes, one slot per line (leaves: 32 bytes per line). */
export interface EntryResults {
  status: Uint8Array
  seq: Float64Array
  tsMs: Float64Array
  kidIndex: Int32Array
  leaves: Uint8Array
}

/** A line-level problem explained in words (only for lines whose status is not ok). */
export interface EntryDetail {
  index: number
  message: string
}

/** Allocates result arrays for `count` lines, on shared memory when workers will fill them. */
export function allocateEntryResults(count: number, shared: boolean): EntryResults {
  const make = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes))
  return {
    status: new Uint8Array(make(count)),
    seq: new Float64Array(make(count * 8)),
    tsMs: new Float64Array(make(count * 8)),
    kidIndex: new Int32Array(make(count * 4)),
    leaves: new Uint8Array(make(count * 32)),
  }
}

const ENVELOPE_KEYS = new Set([
  'v',
  'seq',
  'ts',
  'goblin_id',
  'action',
  'decision',
  'trace_id',
  'attrs',
  'kid',
  'sig',
])
const REQUIRED_STRINGS = ['goblin_id', 'action', 'decision', 'kid', 'sig'] as const

/** Checks lines [from, to) of `bytes` (line i spans starts[i]..ends[i]) and fills `out`. */
export function checkRange(
  bytes: Uint8Array,
  starts: Float64Array,
  ends: Float64Array,
  from: number,
  to: number,
  table: KeyTable,
  out: EntryResults,
): EntryDetail[] {
  const keys = new Map<string, { index: number; key: KeyObject }>()
  table.kids.forEach((kid, index) => {
    keys.set(kid, { index, key: publicKeyFromRaw(table.publicKeys[index] as Uint8Array) })
  })
  const details: EntryDetail[] = []
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let i = from; i < to; i++) {
    const line = view.subarray(starts[i] as number, ends[i] as number)
    out.leaves.set(leafHash(line), i * 32)
    out.seq[i] = Number.NaN
    out.tsMs[i] = Number.NaN
    out.kidIndex[i] = -1
    const problem = checkLine(line, keys, out, i)
    out.status[i] = problem ? problem.status : EntryStatus.ok
    if (problem) details.push({ index: i, message: problem.message })
  }
  return details
}

function checkLine(
  line: Buffer,
  keys: Map<string, { index: number; key: KeyObject }>,
  out: EntryResults,
  i: number,
): { status: number; message: string } | null {
  const modified = (message: string) => ({ status: EntryStatus.modified, message })
  let entry: Record<string, unknown>
  const text = line.toString('utf8')
  try {
    entry = JSON.parse(text)
  } catch {
    return modified('the line is not valid JSON')
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
    return modified('the line is not a JSON object')
  const seq = entry.seq
  if (typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0) out.seq[i] = seq
  else return modified('seq is not a non-negative integer')
  if (entry.v !== ENVELOPE_VERSION) return modified(`unknown envelope version ${JSON.stringify(entry.v)}`)
  const ts = entry.ts
  if (typeof ts !== 'string' || !TIMESTAMP_PATTERN.test(ts) || Number.isNaN(Date.parse(ts)))
    return modified('ts is not an RFC 3339 UTC timestamp with milliseconds')
  out.tsMs[i] = Date.parse(ts)
  for (const field of REQUIRED_STRINGS) {
    const value = entry[field]
    if (typeof value !== 'string' || value.length === 0)
      return modified(`${field} is missing or not a string`)
  }
  if (entry.trace_id !== null && !isTraceId(entry.trace_id))
    return modified('trace_id is neither null nor 32 hex digits')
  const attrs = entry.attrs
  if (attrs !== undefined && (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs)))
    return modified('attrs is not an object')
  const sig = decodeBase64Strict(entry.sig as string)
  if (!sig || sig.length !== ED25519_SIGNATURE_BYTES) return modified('sig is not a base64 Ed25519 signature')
  let canonical: string
  try {
    canonical = canonicalJson(entry)
  } catch {
    return modified('the entry holds a value canonical JSON cannot carry')
  }
  // Decoding valid UTF-8 is one-to-one, so comparing text suffices unless the decoder replaced bad bytes.
  if (canonical !== text || (text.includes('\ufffd') && !line.equals(Buffer.from(canonical, 'utf8'))))
    return modified('the line is not in canonical form (RFC 8785): it was edited after signing')
  const signer = keys.get(entry.kid as string)
  if (!signer)
    return { status: EntryStatus.unknownKey, message: `signed by ${entry.kid}, which is not a trusted key` }
  out.kidIndex[i] = signer.index
  const signed = Buffer.from(canonicalWithoutSig(entry, canonical), 'utf8')
  if (!ed25519Verify(signed, sig, signer.key))
    return {
      status: EntryStatus.badSignature,
      message: `the signature does not verify under ${entry.kid}: the entry was changed after signing`,
    }
  return null
}

/**
 * The canonical JSON of the entry without `sig`, cut from its canonical text: with only envelope keys,
 * "sig" sorts after every key that may hold nested objects (attrs), so the last `,"sig":"..."` is the
 * top-level member. An entry with other keys is canonicalised again instead.
 */
function canonicalWithoutSig(entry: Record<string, unknown>, canonical: string): string {
  if (Object.keys(entry).some((key) => !ENVELOPE_KEYS.has(key))) {
    const { sig: _sig, ...unsigned } = entry
    return canonicalJson(unsigned)
  }
  const member = `,"sig":"${entry.sig as string}"`
  const at = canonical.lastIndexOf(member)
  return canonical.slice(0, at) + canonical.slice(at + member.length)
}
