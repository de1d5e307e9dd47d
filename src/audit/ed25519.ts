import { createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign, verify } from 'node:crypto'

/**
 * Ed25519 over Node's built-in crypto (OpenSSL). Chosen over @noble/ed25519 by measurement: see
 * bench/audit.js and docs/audit.md ("Performance, and why Node's crypto"). Keys travel as raw RFC 8032 bytes
 * (32-byte seed, 32-byte public key); the DER prefixes below wrap them for OpenSSL.
 */

const PKCS8_SEED_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

export const ED25519_SEED_BYTES = 32
export const ED25519_PUBLIC_KEY_BYTES = 32
export const ED25519_SIGNATURE_BYTES = 64

/** A private key from its 32-byte RFC 8032 seed. */
export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== ED25519_SEED_BYTES) throw new RangeError('an Ed25519 seed is 32 bytes')
  return createPrivateKey({ key: Buffer.concat([PKCS8_SEED_PREFIX, seed]), format: 'der', type: 'pkcs8' })
}

/** A public key from its 32 raw bytes. */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== ED25519_PUBLIC_KEY_BYTES) throw new RangeError('an Ed25519 public key is 32 bytes')
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' })
}

/** The raw 32-byte public key of a private or public key object. */
export function rawPublicKey(key: KeyObject): Buffer {
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' })
  return spki.subarray(SPKI_PREFIX.length)
}

/** A fresh random seed (the private key material). */
export function generateSeed(): Buffer {
  return randomBytes(ED25519_SEED_BYTES)
}

/** Signs `data` (RFC 8032 pure Ed25519, deterministic). */
export function ed25519Sign(data: Uint8Array, privateKey: KeyObject): Buffer {
  return sign(null, data, privateKey)
}

/** True when `signature` is a valid Ed25519 signature of `data` under `publicKey`. */
export function ed25519Verify(data: Uint8Array, signature: Uint8Array, publicKey: KeyObject): boolean {
  if (signature.length !== ED25519_SIGNATURE_BYTES) return false
  return verify(null, data, publicKey, signature)
}
