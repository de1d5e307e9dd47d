import { createHash, type KeyObject } from 'node:crypto'
import { usageError } from '../core/errors.js'
import { containsSigningKey } from '../core/redact.js'
import {
  ED25519_PUBLIC_KEY_BYTES,
  ED25519_SEED_BYTES,
  ed25519Sign,
  ed25519Verify,
  privateKeyFromSeed,
  publicKeyFromRaw,
  rawPublicKey,
} from './ed25519.js'

/**
 * C2SP signed-note (https://c2sp.org/signed-note) with Ed25519 keys (signature type 0x01).
 * Verifier keys are `<name>+<8 hex key ID>+<base64(0x01 || public key)>`; signer keys use the Go
 * reference implementation's form `PRIVATE+KEY+<name>+<8 hex key ID>+<base64(0x01 || seed)>`.
 * Pure functions over strings and bytes; no I/O.
 */

const ALG_ED25519 = 0x01
/** C2SP tlog-cosignature's Ed25519 cosigner keys (timestamped `cosignature/v1` signatures). */
export const ALG_COSIGNATURE_V1 = 0x04
const SIGNATURE_PREFIX = '\u2014 '
/** The spec asks verifiers to accept at least 16 signatures; we accept up to this many. */
const MAX_SIGNATURES = 100

/** A public key a note can be verified with. */
export interface NoteVerifier {
  name: string
  keyId: number
  publicKey: Buffer
  /** The verifier key string, `name+hash+base64`. */
  vkey: string
  key: KeyObject
}

/** A private key that signs notes. */
export interface NoteSigner extends NoteVerifier {
  privateKey: KeyObject
}

/** True when `name` is a valid key name: non-empty, no Unicode spaces, no '+'. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !hasControlCharacters(name)
}

/** The C2SP key ID: the first 4 bytes (big-endian) of SHA-256(name || 0x0A || type || public key). */
export function noteKeyId(name: string, publicKey: Uint8Array, type = ALG_ED25519): number {
  const digest = createHash('sha256')
    .update(`${name}\n`, 'utf8')
    .update(Buffer.from([type]))
    .update(publicKey)
    .digest()
  return digest.readUInt32BE(0)
}

/** `name+hash`: how goblin names a key in envelopes (`kid`) and the keyring. */
export function keyLabel(name: string, keyId: number): string {
  return `${name}+${hex8(keyId)}`
}

/** Encodes an Ed25519 public key as a verifier key string (type 0x01, or 0x04 for a cosigner). */
export function formatVerifierKey(name: string, publicKey: Uint8Array, type = ALG_ED25519): string {
  assertKeyName(name)
  const encoded = Buffer.concat([Buffer.from([type]), publicKey]).toString('base64')
  return `${keyLabel(name, noteKeyId(name, publicKey, type))}+${encoded}`
}

/**
 * Parses and checks a verifier key string of signature type `type` (0x01 a note signer, 0x04 a
 * tlog-cosignature cosigner); throws a usage error naming what is wrong.
 */
export function parseVerifierKey(vkey: string, type = ALG_ED25519): NoteVerifier {
  const bad = (why: string) =>
    usageError(
      'AUDIT_BAD_VKEY',
      `not a verifier key (${why}): ${vkey}`,
      'A verifier key looks like name+1a2b3c4d+AbC...= (goblin audit keys export prints them).',
    )
  if (containsSigningKey(vkey))
    throw usageError(
      'AUDIT_PRIVATE_KEY_GIVEN',
      'this is a private signing key (PRIVATE+KEY+...), not a verifier key: it was not used and is not shown',
      'Pass the verifier key instead (goblin audit keys export prints it); treat the private key as exposed if it was shared.',
    )
  const parts = vkey.trim().split('+')
  // The base64 part may itself contain '+', so only the first two separators split.
  if (parts.length < 3) throw bad('expected name+hash+key')
  const [name, hash] = parts as [string, string]
  const encoded = parts.slice(2).join('+')
  if (!isValidKeyName(name)) throw bad('invalid key name')
  if (!/^[0-9a-f]{8}$/.test(hash)) throw bad('the key hash is not 8 lowercase hex digits')
  const raw = decodeBase64Strict(encoded)
  if (!raw) throw bad('the key is not valid base64')
  if (raw[0] !== type)
    throw bad(
      `signature type 0x${(raw[0] ?? 0).toString(16).padStart(2, '0')}, not 0x0${type}${type === ALG_COSIGNATURE_V1 ? ' (a cosignature/v1 Ed25519 cosigner)' : ' (Ed25519)'}`,
    )
  if (raw.length !== 1 + ED25519_PUBLIC_KEY_BYTES) throw bad('an Ed25519 key is 32 bytes')
  const publicKey = raw.subarray(1)
  const keyId = noteKeyId(name, publicKey, type)
  if (hex8(keyId) !== hash) throw bad('the key hash does not match the name and key')
  return { name, keyId, publicKey, vkey: `${name}+${hash}+${encoded}`, key: publicKeyFromRaw(publicKey) }
}

/** Encodes a signer key (the private key file's content). Never print it. */
export function formatSignerKey(name: string, seed: Uint8Array): string {
  assertKeyName(name)
  const publicKey = rawPublicKey(privateKeyFromSeed(seed))
  const encoded = Buffer.concat([Buffer.from([ALG_ED25519]), seed]).toString('base64')
  return `PRIVATE+KEY+${keyLabel(name, noteKeyId(name, publicKey))}+${encoded}`
}

/** Parses a signer key string; the error never echoes the key. */
export function parseSignerKey(skey: string): NoteSigner {
  const bad = (why: string) =>
    usageError(
      'AUDIT_BAD_SKEY',
      `not a signing key (${why})`,
      'Private key files are written by goblin audit keygen.',
    )
  const parts = skey.trim().split('+')
  if (parts.length < 5 || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY')
    throw bad('expected PRIVATE+KEY+name+hash+key')
  const name = parts[2] as string
  const hash = parts[3] as string
  if (!isValidKeyName(name)) throw bad('invalid key name')
  const raw = decodeBase64Strict(parts.slice(4).join('+'))
  if (!raw || raw[0] !== ALG_ED25519 || raw.length !== 1 + ED25519_SEED_BYTES)
    throw bad('not an Ed25519 seed')
  const privateKey = privateKeyFromSeed(raw.subarray(1))
  const publicKey = rawPublicKey(privateKey)
  const keyId = noteKeyId(name, publicKey)
  if (hex8(keyId) !== hash) throw bad('the key hash does not match the name and key')
  return {
    name,
    keyId,
    publicKey,
    vkey: formatVerifierKey(name, publicKey),
    key: publicKeyFromRaw(publicKey),
    privateKey,
  }
}

/** Signs `text` (which must end in a newline) with each signer, giving the signed note. */
export function signNote(text: string, signers: NoteSigner[]): string {
  assertNoteText(text)
  const message = Buffer.from(text, 'utf8')
  const lines = signers.map((s) => {
    const blob = Buffer.allocUnsafe(4 + 64)
    blob.writeUInt32BE(s.keyId, 0)
    blob.set(ed25519Sign(message, s.privateKey), 4)
    return `${SIGNATURE_PREFIX}${s.name} ${blob.toString('base64')}\n`
  })
  return `${text}\n${lines.join('')}`
}

/** One signature line of a note. */
export interface NoteSignature {
  name: string
  keyId: number
  /** `name+hash`. */
  label: string
}

export interface OpenedNote {
  text: string
  /** Signatures from known keys that verified. */
  verified: NoteSignature[]
  /** Signatures from known keys that did NOT verify: the note must be rejected. */
  failed: NoteSignature[]
  /** Signatures from keys not among the verifiers: ignored, as the spec requires. */
  unknown: NoteSignature[]
}

/**
 * Splits a signed note and checks every signature against `verifiers`. Throws (exit 2) when the note is
 * malformed; reports signature outcomes in the result (a note is good when `verified` is non-empty and
 * `failed` is empty).
 */
export function openNote(note: string, verifiers: NoteVerifier[]): OpenedNote {
  const { text, signatures } = splitNote(note)
  const message = Buffer.from(text, 'utf8')
  const result: OpenedNote = { text, verified: [], failed: [], unknown: [] }
  for (const { name, keyId, blob } of signatures) {
    const signature: NoteSignature = { name, keyId, label: keyLabel(name, keyId) }
    const verifier = verifiers.find((v) => v.name === name && v.keyId === keyId)
    if (!verifier) result.unknown.push(signature)
    else if (ed25519Verify(message, blob.subarray(4), verifier.key)) result.verified.push(signature)
    else result.failed.push(signature)
  }
  return result
}

/** A note's text and its signature lines, each with its key name, key ID and signature bytes after the ID. */
export function splitNote(note: string): {
  text: string
  signatures: Array<{ name: string; keyId: number; blob: Buffer }>
} {
  const malformed = (why: string) =>
    usageError(
      'AUDIT_BAD_NOTE',
      `not a signed note: ${why}`,
      'A signed note is text, a blank line, then "— name signature" lines (c2sp.org/signed-note).',
    )
  if (hasControlCharacters(note.replaceAll('\n', ''))) throw malformed('it contains control characters')
  if (!note.endsWith('\n')) throw malformed('it does not end in a newline')
  const split = note.lastIndexOf('\n\n')
  if (split < 0) throw malformed('no blank line separates the text from the signatures')
  const text = note.slice(0, split + 1)
  const signatureLines = note.slice(split + 2, -1).split('\n')
  if (signatureLines.length > MAX_SIGNATURES) throw malformed(`more than ${MAX_SIGNATURES} signatures`)
  const signatures: Array<{ name: string; keyId: number; blob: Buffer }> = []
  for (const line of signatureLines) {
    if (!line.startsWith(SIGNATURE_PREFIX))
      throw malformed(`a signature line does not start with "— ": ${line}`)
    const rest = line.slice(SIGNATURE_PREFIX.length)
    const space = rest.indexOf(' ')
    const name = rest.slice(0, space)
    const blob = space > 0 ? decodeBase64Strict(rest.slice(space + 1)) : null
    if (!isValidKeyName(name) || !blob || blob.length < 5) throw malformed(`bad signature line: ${line}`)
    signatures.push({ name, keyId: blob.readUInt32BE(0), blob })
  }
  return { text, signatures }
}

/** Standard base64 that round-trips exactly (so no two encodings of the same bytes are both accepted). */
export function decodeBase64Strict(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null
  const bytes = Buffer.from(text, 'base64')
  return bytes.toString('base64') === text ? bytes : null
}

function hex8(keyId: number): string {
  return keyId.toString(16).padStart(8, '0')
}

function assertKeyName(name: string): void {
  if (!isValidKeyName(name))
    throw usageError(
      'AUDIT_BAD_KEY_NAME',
      `invalid key name "${name}": it must be non-empty, without spaces or '+'`,
      'Choose a name like goblin/ci or example.com/audit.',
    )
}

function assertNoteText(text: string): void {
  if (!text.endsWith('\n') || hasControlCharacters(text.replaceAll('\n', '')))
    throw usageError(
      'AUDIT_BAD_NOTE_TEXT',
      'note text must end in a newline and contain no control characters',
    )
}

function hasControlCharacters(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the spec forbids ASCII control characters
  return /[\u0000-\u001f]/.test(text)
}
