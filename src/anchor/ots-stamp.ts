import { randomBytes } from 'node:crypto'
import { unreachableError } from '../core/errors.js'
import { fetchFromCalendar, submitToCalendar } from './ots-calendar.js'
import type { DetachedTimestamp, TimestampNode } from './ots-codec.js'
import { applyOp, mergeTimestamp } from './ots-ops.js'

/**
 * Stamping and upgrading a proof over a 32-byte root, the way the reference client stamps a file: the
 * root is the file digest (sha256 file-hash op), a random nonce is appended and hashed so calendars never
 * learn the root, and each calendar's answer is merged under that commitment.
 */

export interface CalendarOutcome {
  url: string
  ok: boolean
  error?: string
}

/** Stamps `root` on every calendar; fails (exit 3) only when none answers. */
export async function stampRoot(
  root: Uint8Array,
  calendars: string[],
  options: { fetch?: typeof fetch; nonce?: Uint8Array } = {},
): Promise<{ proof: DetachedTimestamp; calendars: CalendarOutcome[] }> {
  const nonce = options.nonce ?? randomBytes(16)
  const append = { op: 'append' as const, arg: Uint8Array.from(nonce) }
  const commitmentNode: TimestampNode = { attestations: [], ops: [] }
  const commitment = applyOp({ op: 'sha256' }, applyOp(append, root))
  const outcomes = await Promise.all(
    calendars.map(async (url): Promise<CalendarOutcome> => {
      try {
        mergeTimestamp(commitmentNode, await submitToCalendar(url, commitment, options.fetch))
        return { url, ok: true }
      } catch (error) {
        return { url, ok: false, error: (error as Error).message }
      }
    }),
  )
  if (!outcomes.some((o) => o.ok)) {
    throw unreachableError(
      'OTS_NO_CALENDAR',
      `no OpenTimestamps calendar accepted the root: ${outcomes.map((o) => `${o.url}: ${o.error}`).join('; ')}`,
      'Check the network or anchor.ots.calendars in goblin.config.json, then run goblin audit anchor --ots again.',
    )
  }
  const proof: DetachedTimestamp = {
    fileHashOp: 'sha256',
    digest: Uint8Array.from(root),
    timestamp: {
      attestations: [],
      ops: [
        { op: append, next: { attestations: [], ops: [{ op: { op: 'sha256' }, next: commitmentNode }] } },
      ],
    },
  }
  return { proof, calendars: outcomes }
}

export interface UpgradeOutcome {
  calendar: string
  status: 'upgraded' | 'pending' | 'skipped' | 'error'
  detail?: string
}

/**
 * Asks each pending attestation's calendar for the completed tree and merges it in (mutating `proof`);
 * a pending attestation is dropped once its calendar's answer carries a block attestation.
 * Only calendars in `allowed` (origins) are contacted, as the reference client refuses unknown ones.
 */
export async function upgradeProof(
  proof: DetachedTimestamp,
  allowed: string[],
  options: { fetch?: typeof fetch } = {},
): Promise<{ changed: boolean; outcomes: UpgradeOutcome[] }> {
  const outcomes: UpgradeOutcome[] = []
  const allowedOrigins = new Set(allowed.map((u) => new URL(u).origin))
  let changed = false
  const visit = async (msg: Uint8Array, node: TimestampNode): Promise<void> => {
    for (const attestation of [...node.attestations]) {
      if (attestation.kind !== 'pending') continue
      if (!isAllowedCalendar(attestation.uri, allowedOrigins)) {
        outcomes.push({
          calendar: attestation.uri,
          status: 'skipped',
          detail: 'not a configured or public calendar',
        })
        continue
      }
      try {
        const upgraded = await fetchFromCalendar(attestation.uri, msg, options.fetch)
        if (!upgraded) {
          outcomes.push({ calendar: attestation.uri, status: 'pending' })
          continue
        }
        mergeTimestamp(node, upgraded)
        if (hasBlockAttestation(upgraded))
          node.attestations = node.attestations.filter((a) => a !== attestation)
        changed = true
        outcomes.push({ calendar: attestation.uri, status: 'upgraded' })
      } catch (error) {
        outcomes.push({ calendar: attestation.uri, status: 'error', detail: (error as Error).message })
      }
    }
    for (const { op, next } of node.ops) await visit(applyOp(op, msg), next)
  }
  await visit(proof.digest, proof.timestamp)
  return { changed, outcomes }
}

/** Public calendars the reference client trusts by default, plus the configured ones. */
function isAllowedCalendar(uri: string, allowedOrigins: Set<string>): boolean {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return false
  }
  if (allowedOrigins.has(url.origin)) return true
  return (
    url.protocol === 'https:' &&
    /(^|\.)(calendar\.opentimestamps\.org|calendar\.eternitywall\.com|calendar\.catallaxy\.com)$/.test(
      url.hostname,
    )
  )
}

function hasBlockAttestation(node: TimestampNode): boolean {
  return (
    node.attestations.some((a) => a.kind !== 'pending' && a.kind !== 'unknown') ||
    node.ops.some(({ next }) => hasBlockAttestation(next))
  )
}
