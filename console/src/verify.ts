import { canonicalJson } from '../../src/audit/canonical-json.js'

/**
 * Audit verification in the browser, with WebCrypto only (Ed25519 and SHA-256): the page takes bytes from
 * the collector (the ledger line, the signed checkpoint note, the proof's sibling hashes, the keyring's
 * verifier keys) and decides itself, so a collector that lies about a verdict is caught. The formats are
 * ARCHITECTURE.md's: C2SP signed-note keys and signatures, tlog-checkpoint bodies, RFC 9162 Merkle trees.
 */

const encoder = new TextEncoder()

/** Bytes over a plain ArrayBuffer, what WebCrypto takes. */
type Bytes = Uint8Array<ArrayBuffer>

export interface BrowserKey {
  name: string
  /** The 4-byte key hash as 8 hex digits: the key's id in signature lines and in `kid`. */
  keyHash: string
  key: Awaited<ReturnType<typeof crypto.subtle.importKey>>
}

/** Why a verifier key was refused (or null): a key is used only when its hash matches its bytes. */
export async function importVerifierKey(vkey: string): Promise<BrowserKey | { error: string }> {
  // The key's base64 may itself hold '+': only the first two separate fields.
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(vkey)
  if (!match) return { error: `${vkey}: not name+hash+key` }
  const [, name, keyHash, b64] = match as unknown as [string, string, string, string]
  const bytes = decodeBase64(b64)
  // 0x01 is the Ed25519 algorithm byte of signed-note keys; then the 32-byte public key.
  if (bytes?.length !== 33 || bytes[0] !== 1) return { error: `${name}: not an Ed25519 note key` }
  const digest = await sha256(concat(encoder.encode(name), Uint8Array.of(0x0a), bytes))
  if (toHex(digest.subarray(0, 4)) !== keyHash)
    return { error: `${name}: the key hash does not match the key` }
  const key = await crypto.subtle.importKey('raw', bytes.subarray(1), { name: 'Ed25519' }, false, ['verify'])
  return { name, keyHash, key }
}

export type SignatureState = 'valid' | 'invalid' | 'unknown-key' | 'malformed'

/** An entry's signature: Ed25519 over the RFC 8785 canonical JSON of the envelope without `sig`. */
export async function verifyEntrySignature(line: string, keys: BrowserKey[]): Promise<SignatureState> {
  let envelope: Record<string, unknown>
  try {
    envelope = JSON.parse(line) as Record<string, unknown>
  } catch {
    return 'malformed'
  }
  const { sig, ...unsigned } = envelope
  if (typeof sig !== 'string' || typeof envelope.kid !== 'string') return 'malformed'
  const key = keys.find((k) => `${k.name}+${k.keyHash}` === envelope.kid)
  if (!key) return 'unknown-key'
  const signature = decodeBase64(sig)
  if (signature?.length !== 64) return 'invalid'
  let text: string
  try {
    text = canonicalJson(unsigned)
  } catch {
    return 'malformed'
  }
  const ok = await crypto.subtle.verify('Ed25519', key.key, signature, encoder.encode(text))
  return ok ? 'valid' : 'invalid'
}

export interface OpenedCheckpoint {
  origin: string
  size: number
  root: Bytes
  /** Names of the trusted keys whose signature lines verified. */
  signedBy: string[]
}

/**
 * Opens a signed checkpoint note: the text is everything up to the blank line, each following line is
 * `— <name> <base64(4-byte key hash || 64-byte signature)>`. The body is read only once a trusted
 * signature verifies over the text; an error names what failed.
 */
export async function openCheckpoint(
  note: string,
  keys: BrowserKey[],
): Promise<OpenedCheckpoint | { error: string }> {
  const split = note.lastIndexOf('\n\n')
  if (split < 0) return { error: 'the note has no signature block' }
  const text = note.slice(0, split + 1)
  const signedBy: string[] = []
  for (const line of note.slice(split + 2).split('\n')) {
    const match = /^\u2014 (\S+) (\S+)$/.exec(line)
    if (!match) continue
    const bytes = decodeBase64(match[2] as string)
    if (bytes?.length !== 68) continue
    const key = keys.find((k) => k.name === match[1] && k.keyHash === toHex(bytes.subarray(0, 4)))
    if (key && (await crypto.subtle.verify('Ed25519', key.key, bytes.subarray(4), encoder.encode(text))))
      signedBy.push(key.name)
  }
  if (signedBy.length === 0) return { error: 'no signature by a trusted key verifies over the checkpoint' }
  const [origin, sizeText, rootText] = text.split('\n')
  const root = decodeBase64(rootText ?? '')
  if (!origin || !/^(0|[1-9][0-9]*)$/.test(sizeText ?? '') || root?.length !== 32)
    return { error: 'the checkpoint body is not origin, size, root' }
  return { origin, size: Number(sizeText), root, signedBy }
}

/** RFC 9162 leaf hash: SHA-256(0x00 || entry bytes), over the ledger line exactly as stored. */
export function leafHash(line: string): Promise<Bytes> {
  return sha256(concat(Uint8Array.of(0), encoder.encode(line)))
}

/**
 * The root an RFC 9162 inclusion proof leads to (§2.1.3.2), or why the proof cannot be one for `index`
 * in a tree of `size`. Sizes stay far below 2^53, so halving is done with numbers, not 32-bit shifts.
 */
export async function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Bytes,
  proof: Bytes[],
): Promise<Bytes | { error: string }> {
  if (index >= size) return { error: `index ${index} is outside a tree of ${size}` }
  let fn = index
  let sn = size - 1
  let r = leaf
  for (const p of proof) {
    if (sn === 0) return { error: `the proof has more than the ${proof.length} hashes the tree needs` }
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r)
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2
        sn = Math.floor(sn / 2)
      }
    } else {
      r = await nodeHash(r, p)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  if (sn !== 0) return { error: 'the proof is too short for the tree' }
  return r
}

export type InclusionState =
  | { state: 'included'; checkpoint: OpenedCheckpoint }
  | { state: 'not-included'; reason: string }
  | { state: 'pending'; reason: string }

/** Whether `line`, entry `index`, is in the checkpoint `note` (signed by a trusted key) by `proof`. */
export async function verifyInclusion(
  line: string,
  index: number,
  note: string | null,
  proofHex: string[] | null,
  keys: BrowserKey[],
): Promise<InclusionState> {
  if (note === null) return { state: 'pending', reason: 'no checkpoint is signed yet' }
  const checkpoint = await openCheckpoint(note, keys)
  if ('error' in checkpoint) return { state: 'not-included', reason: checkpoint.error }
  if (index >= checkpoint.size)
    return { state: 'pending', reason: `the latest checkpoint covers ${checkpoint.size} entries` }
  if (proofHex === null) return { state: 'not-included', reason: 'the collector sent no proof' }
  const proof = proofHex.map(fromHex)
  if (proof.some((p) => p === null || p.length !== 32))
    return { state: 'not-included', reason: 'a proof hash is not 32 bytes of hex' }
  const root = await rootFromInclusionProof(index, checkpoint.size, await leafHash(line), proof as Bytes[])
  if ('error' in root) return { state: 'not-included', reason: root.error }
  if (toHex(root) !== toHex(checkpoint.root))
    return {
      state: 'not-included',
      reason: `the entry and proof lead to root ${toHex(root).slice(0, 16)}…, the checkpoint says ${toHex(checkpoint.root).slice(0, 16)}…`,
    }
  return { state: 'included', checkpoint }
}

async function nodeHash(left: Bytes, right: Bytes): Promise<Bytes> {
  return sha256(concat(Uint8Array.of(1), left, right))
}

async function sha256(data: Bytes): Promise<Bytes> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data))
}

function concat(...parts: Bytes[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** Strict base64 (padding required, no whitespace), or null. */
function decodeBase64(text: string): Bytes | null {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return null
  const binary = atob(text)
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}

export function toHex(bytes: Bytes): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

function fromHex(hex: string): Bytes | null {
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) return null
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16))
}
