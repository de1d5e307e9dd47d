import type { BlockHeaderSource } from './bitcoin-headers.js'
import type { Attestation, DetachedTimestamp } from './ots-codec.js'
import { replayTimestamp } from './ots-ops.js'

/**
 * Verifying an OpenTimestamps proof over a digest: the file digest must be the expected one, every path is
 * replayed to its attestation, and a Bitcoin attestation holds when its commitment equals the Merkle root
 * of the block at its height, as the given header source reports it. Without a source the path is still
 * replayed (offline) and the attestation is reported as unchecked.
 */

export type AttestationStatus = 'verified' | 'failed' | 'pending' | 'unchecked' | 'unsupported'

export interface AttestationCheck {
  attestation: Attestation
  /** The replayed commitment, hex. */
  commitment: string
  status: AttestationStatus
  detail: string
  /** Block time (ISO 8601) for a verified Bitcoin attestation: the root existed by then. */
  time?: string
}

export interface OtsVerification {
  digestMatches: boolean
  attestations: AttestationCheck[]
  /** True when the digest matches, no attestation failed, and at least one Bitcoin attestation verified. */
  verified: boolean
  /** The earliest time a verified attestation proves, or null. */
  provenBy: string | null
}

/** Checks `proof` against `expectedDigest`; with `headers`, Bitcoin attestations are checked against blocks. */
export async function verifyOtsProof(
  proof: DetachedTimestamp,
  expectedDigest: Uint8Array,
  options: { headers?: BlockHeaderSource } = {},
): Promise<OtsVerification> {
  const digestMatches = Buffer.from(proof.digest).equals(Buffer.from(expectedDigest))
  const attestations: AttestationCheck[] = []
  for (const { attestation, message } of replayTimestamp(proof.digest, proof.timestamp)) {
    attestations.push(await checkAttestation(attestation, message, options.headers))
  }
  const times = attestations.filter((a) => a.status === 'verified' && a.time).map((a) => a.time as string)
  return {
    digestMatches,
    attestations,
    verified: digestMatches && times.length > 0 && !attestations.some((a) => a.status === 'failed'),
    provenBy: times.sort()[0] ?? null,
  }
}

async function checkAttestation(
  attestation: Attestation,
  message: Uint8Array,
  headers: BlockHeaderSource | undefined,
): Promise<AttestationCheck> {
  const commitment = Buffer.from(message).toString('hex')
  switch (attestation.kind) {
    case 'pending':
      return { attestation, commitment, status: 'pending', detail: `pending at ${attestation.uri}` }
    case 'bitcoin': {
      if (message.length !== 32) {
        return {
          attestation,
          commitment,
          status: 'failed',
          detail: 'a Bitcoin attestation commits to 32 bytes',
        }
      }
      if (!headers) {
        return {
          attestation,
          commitment,
          status: 'unchecked',
          detail: `Bitcoin block ${attestation.height}: path replayed offline; check online for the block's Merkle root`,
        }
      }
      const header = await headers.header(attestation.height)
      if (!Buffer.from(header.merkleRoot).equals(Buffer.from(message))) {
        return {
          attestation,
          commitment,
          status: 'failed',
          detail: `Bitcoin block ${attestation.height} (${header.hash}) has Merkle root ${Buffer.from(header.merkleRoot).reverse().toString('hex')}, not the proof's commitment`,
        }
      }
      const time = new Date(header.time * 1000).toISOString()
      return {
        attestation,
        commitment,
        status: 'verified',
        detail: `Bitcoin block ${attestation.height} (${header.hash}, ${headers.name}) attests the root existed by ${time}`,
        time,
      }
    }
    case 'litecoin':
    case 'ethereum':
      return {
        attestation,
        commitment,
        status: 'unsupported',
        detail: `${attestation.kind} block ${attestation.height}: goblin checks Bitcoin attestations only`,
      }
    case 'unknown':
      return {
        attestation,
        commitment,
        status: 'unsupported',
        detail: `unknown attestation ${attestation.tag}`,
      }
  }
}
