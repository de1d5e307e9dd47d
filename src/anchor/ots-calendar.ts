import { GoblinError, unreachableError } from '../core/errors.js'
import { parseTimestamp, type TimestampNode } from './ots-codec.js'

/**
 * The OpenTimestamps calendar protocol over HTTP: `POST /digest` with the raw digest answers a timestamp
 * tree for it (ending in a pending attestation); `GET /timestamp/<hex commitment>` answers the completed
 * tree once the calendar's transaction is mined, 404 while it is still pending.
 */

const ACCEPT = 'application/vnd.opentimestamps.v1'
const TIMEOUT_MS = 20_000

/** Submits a digest to one calendar; returns the tree the calendar commits to for it. */
export async function submitToCalendar(
  calendarUrl: string,
  digest: Uint8Array,
  fetchImpl: typeof fetch = fetch,
): Promise<TimestampNode> {
  const url = `${calendarUrl.replace(/\/+$/, '')}/digest`
  const response = await request(fetchImpl, url, {
    method: 'POST',
    headers: { accept: ACCEPT, 'content-type': 'application/x-www-form-urlencoded' },
    body: Buffer.from(digest),
  })
  if (!response.ok) {
    throw new GoblinError(
      'OTS_CALENDAR_REFUSED',
      `calendar ${calendarUrl} answered HTTP ${response.status} to /digest`,
      {},
    )
  }
  return parseTimestamp(new Uint8Array(await response.arrayBuffer()), `calendar ${calendarUrl} response`)
}

/** Asks a calendar for the completed tree of a commitment; null while it is still pending (404). */
export async function fetchFromCalendar(
  calendarUrl: string,
  commitment: Uint8Array,
  fetchImpl: typeof fetch = fetch,
): Promise<TimestampNode | null> {
  const url = `${calendarUrl.replace(/\/+$/, '')}/timestamp/${Buffer.from(commitment).toString('hex')}`
  const response = await request(fetchImpl, url, { headers: { accept: ACCEPT } })
  if (response.status === 404) return null
  if (!response.ok) {
    throw new GoblinError(
      'OTS_CALENDAR_REFUSED',
      `calendar ${calendarUrl} answered HTTP ${response.status} to /timestamp`,
      {},
    )
  }
  return parseTimestamp(new Uint8Array(await response.arrayBuffer()), `calendar ${calendarUrl} response`)
}

async function request(fetchImpl: typeof fetch, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetchImpl(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) })
  } catch (error) {
    throw unreachableError(
      'OTS_CALENDAR_UNREACHABLE',
      `calendar ${new URL(url).origin} is unreachable (${(error as Error).message})`,
      'Check the network, or set anchor.ots.calendars in goblin.config.json to calendars you can reach.',
      error,
    )
  }
}
