import { ed25519Sign, ed25519Verify, privateKeyFromSeed, rawPublicKey } from './ed25519.js'
import {
  ALG_COSIGNATURE_V1,
  formatVerifierKey,
  keyLabel,
  type NoteSigner,
  type NoteVerifier,
  parseVerifierKey,
  splitNote,
} from './signed-note.js'

/**
 * C2SP tlog-cosignature (https://c2sp.org/tlog-cosignature), the Ed25519 `cosignature/v1` type: a
 * cosigner's statement that, at `timestamp`, the checkpoint is the largest consistent one it has seen of
 * that log. Key IDs use signature type 0x04; the signature line carries key ID || u64 timestamp ||
 * Ed25519 signature over "cosignature/v1\ntime <timestamp>\n" || the checkpoint body. Pure functions.
 */

const HEADER = 'cosignature/v1'
const BLOB_BYTES = 4 + 8 + 64

/** The message a cosigner signs for `checkpointText` (the note body, ending in a newline) at `timestamp`. */
export function cosignedMessage(checkpointText: string, timestamp: number): Buffer {
  return Buffer.from(`${HEADER}\ntime ${timestamp}\n${checkpointText}`, 'utf8')
}

/** One `— name base64(...)` line cosigning `checkpointText` at `timestamp` (seconds since the epoch). */
export function cosign(checkpointText: string, signer: NoteSigner, timestamp: number): string {
  if (!Number.isSafeInteger(timestamp) || timestamp <= 0)
    throw new RangeError('a cosignature needs a timestamp')
  const blob = Buffer.allocUnsafe(BLOB_BYTES)
  blob.writeUInt32BE(signer.keyId, 0)
  blob.writeBigUInt64BE(BigInt(timestamp), 4)
  blob.set(ed25519Sign(cosignedMessage(checkpointText, timestamp), signer.privateKey), 12)
  return `\u2014 ${signer.name} ${blob.toString('base64')}\n`
}

export interface Cosigned {
  /** `name+hash` of the cosigner. */
  label: string
  name: string
  timestamp: number
}

/**
 * The cosignatures on `note` by `cosigners` (type 0x04 keys): those that verify, and those whose line
 * names a cosigner's key but does not verify (the note must then be rejected). Other lines are ignored.
 */
export function verifyCosignatures(
  note: string,
  cosigners: NoteVerifier[],
): { verified: Cosigned[]; failed: Cosigned[] } {
  const { text, signatures } = splitNote(note)
  const verified: Cosigned[] = []
  const failed: Cosigned[] = []
  for (const { name, keyId, blob } of signatures) {
    const cosigner = cosigners.find((c) => c.name === name && c.keyId === keyId)
    if (!cosigner) continue
    const label = keyLabel(name, keyId)
    if (blob.length !== BLOB_BYTES) {
      failed.push({ label, name, timestamp: 0 })
      continue
    }
    const big = blob.readBigUInt64BE(4)
    const timestamp = big > BigInt(Number.MAX_SAFE_INTEGER) ? Number.NaN : Number(big)
    const ok =
      timestamp > 0 && ed25519Verify(cosignedMessage(text, timestamp), blob.subarray(12), cosigner.key)
    ;(ok ? verified : failed).push({ label, name, timestamp })
  }
  return { verified, failed }
}

/** A cosigner named `name` with the Ed25519 key of `seed`: its key ID and vkey are of type 0x04. */
export function cosignerFromSeed(name: string, seed: Uint8Array): NoteSigner {
  const privateKey = privateKeyFromSeed(seed)
  const vkey = formatVerifierKey(name, rawPublicKey(privateKey), ALG_COSIGNATURE_V1)
  return { ...parseVerifierKey(vkey, ALG_COSIGNATURE_V1), privateKey }
}
