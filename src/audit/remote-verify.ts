import { ExitCode, GoblinError, unreachableError, usageError } from '../core/errors.js'
import { openCheckpoint } from './checkpoint.js'
import { allocateEntryResults, checkRange, EntryStatus, type KeyTable } from './entry-check.js'
import {
  consistencyProofRanges,
  inclusionProofRanges,
  type LeafRange,
  leafHash,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js'
import { LATEST_CHECKPOINT_FILE } from './tile-store.js'
import { decodeEntryBundle, hashFromTiles, TILE_WIDTH, tilePath, tilesForRanges } from './tiles.js'
import { loadReferences, remember } from './verifier-state.js'
import type { TrustedKey, VerifyError } from './verify.js'

/**
 * `goblin audit verify --source https://…/`: verifies a log published as C2SP tlog-tiles without
 * downloading it. It fetches the checkpoint and verifies it (a trusted key, the expected origin), then
 * only the tiles the proofs need: consistency with the checkpoint this machine verified before (or
 * `--since-checkpoint`), and inclusion of each entry asked for, whose bytes come from its entry bundle and
 * whose signature is checked like any entry's. Every fetched tile is authenticated by the proof it feeds.
 */

/** Fetches one path below the log's prefix; null when the server has no such object (404). */
export type TileFetch = (path: string) => Promise<Buffer | null>

export interface RemoteReport {
  ok: boolean
  source: string
  checkpoint: { origin: string; size: number; root: string } | null
  since: { size: number; root: string; from: string } | null
  entries: Array<{ index: number; leaf_hash: string; entry: unknown }>
  remembered: { origin: string; size: number } | null
  fetched: { requests: number; bytes: number }
  errors: VerifyError[]
}

/** An HTTP(S) fetcher for `prefix` (a trailing slash is added), counting what it downloads. */
export function httpTileFetch(prefix: string, counter: { requests: number; bytes: number }): TileFetch {
  const base = prefix.endsWith('/') ? prefix : `${prefix}/`
  return async (path) => {
    let response: Response
    try {
      response = await fetch(new URL(path, base), { headers: { 'accept-encoding': 'gzip, identity' } })
    } catch (error) {
      throw unreachableError(
        'TLOG_UNREACHABLE',
        `${base}${path}: the log cannot be reached (${(error as Error).message})`,
        'Check the URL and that goblin audit serve (or the static server) is running.',
        error,
      )
    }
    counter.requests++
    if (response.status === 404) return null
    if (!response.ok)
      throw unreachableError('TLOG_HTTP', `${base}${path}: HTTP ${response.status}`, 'Try again later.')
    const bytes = Buffer.from(await response.arrayBuffer())
    counter.bytes += bytes.length
    return bytes
  }
}

/** Verifies the log behind `fetchTile`; see the module comment. */
export async function verifyRemoteLog(
  source: string,
  fetchTile: TileFetch,
  trusted: TrustedKey[],
  options: {
    origins: string[]
    stateDir?: string
    since?: { note: string; file: string }
    indexes?: number[]
    counter: { requests: number; bytes: number }
  },
): Promise<RemoteReport> {
  const verifiers = trusted.map((t) => t.verifier)
  const errors: VerifyError[] = []
  const report: RemoteReport = {
    ok: false,
    source,
    checkpoint: null,
    since: null,
    entries: [],
    remembered: null,
    fetched: options.counter,
    errors,
  }
  const fail = (kind: string, message: string, file?: string, seq: number | null = null) =>
    errors.push({ seq, line: null, kind, message, ...(file ? { file } : {}) })
  const checkpointUrl = `${source.replace(/\/?$/, '/')}${LATEST_CHECKPOINT_FILE}`
  const note = await fetchTile(LATEST_CHECKPOINT_FILE)
  if (!note)
    throw usageError(
      'TLOG_NO_CHECKPOINT',
      `${checkpointUrl}: no checkpoint there`,
      'Give the log prefix (the URL that has /checkpoint and /tile/ below it).',
    )
  const opened = openCheckpoint(note.toString('utf8'), verifiers, options.origins, checkpointUrl)
  if (!opened.ok) {
    fail(opened.kind, opened.message, checkpointUrl)
    return report
  }
  const checkpoint = opened.checkpoint
  report.checkpoint = {
    origin: checkpoint.origin,
    size: checkpoint.size,
    root: checkpoint.root.toString('hex'),
  }

  const references = loadReferences(options, options.origins, verifiers, (m, f) =>
    fail('checkpoint-signature', m, f),
  ).filter((r) => r.checkpoint.origin === checkpoint.origin)
  const indexes = [...new Set(options.indexes ?? [])]
  for (const index of indexes)
    if (!Number.isSafeInteger(index) || index < 0 || index >= checkpoint.size)
      throw usageError(
        'AUDIT_BAD_INDEX',
        `--index ${index}: checkpoint ${checkpoint.size} has entries 0..${checkpoint.size - 1}`,
        'Pick an index below the checkpoint size.',
      )
  // Every tile any proof needs, fetched at once.
  const consistency = references
    .filter((r) => r.checkpoint.size <= checkpoint.size)
    .map((r) => ({ r, ranges: consistencyProofRanges(r.checkpoint.size, checkpoint.size) }))
  const inclusion = indexes.map((index) => ({
    index,
    ranges: inclusionProofRanges(index, checkpoint.size),
    leaf: [index, index + 1] as LeafRange,
  }))
  const ranges = [...consistency.flatMap((c) => c.ranges), ...inclusion.flatMap((i) => [...i.ranges, i.leaf])]
  const tiles = await fetchAll(fetchTile, tilesForRanges(ranges, checkpoint.size).map(tilePath))

  for (const r of references) {
    const seen = `checkpoint ${r.checkpoint.size} of ${r.checkpoint.origin} (${r.from})`
    if (r.checkpoint.size > checkpoint.size) {
      fail(
        'log-rolled-back',
        `the log publishes checkpoint ${checkpoint.size}, below ${seen}: it was cut back`,
        checkpointUrl,
      )
      continue
    }
    const c = consistency.find((x) => x.r === r)?.ranges ?? []
    const check = verifyConsistency(
      r.checkpoint.size,
      checkpoint.size,
      c.map((range) => hashFromTiles(tiles, checkpoint.size, range)),
      r.checkpoint.root,
      checkpoint.root,
    )
    if (!check.ok)
      fail(
        'checkpoint-inconsistent',
        `checkpoint ${checkpoint.size} does not extend ${seen}: ${check.reason} (a fork)`,
        checkpointUrl,
      )
  }
  if (references[0])
    report.since = {
      size: references[0].checkpoint.size,
      root: references[0].checkpoint.root.toString('hex'),
      from: references[0].from,
    }

  const bundles = await fetchAll(fetchTile, [
    ...new Set(inclusion.map((i) => bundlePath(i.index, checkpoint.size))),
  ])
  const table: KeyTable = {
    kids: trusted.map((t) => `${t.verifier.name}+${t.verifier.keyId.toString(16).padStart(8, '0')}`),
    publicKeys: verifiers.map((v) => v.publicKey),
  }
  for (const i of inclusion) {
    const leafFromTile = hashFromTiles(tiles, checkpoint.size, i.leaf)
    const path = bundlePath(i.index, checkpoint.size)
    const entry = decodeEntryBundle(bundles.get(path) as Buffer, path)[i.index % TILE_WIDTH]
    if (!entry) {
      fail('tile-mismatch', `${path} has no entry ${i.index}`, path, i.index)
      continue
    }
    const leaf = leafHash(entry)
    if (!leaf.equals(leafFromTile)) {
      fail(
        'tile-mismatch',
        `entry ${i.index} in ${path} does not hash to its leaf in the tiles`,
        path,
        i.index,
      )
      continue
    }
    const proof = i.ranges.map((range) => hashFromTiles(tiles, checkpoint.size, range))
    const included = verifyInclusion(i.index, checkpoint.size, leaf, proof, checkpoint.root)
    if (!included.ok) {
      fail('not-included', `entry ${i.index}: ${included.reason}`, path, i.index)
      continue
    }
    const problem = entryProblem(entry, i.index, table)
    if (problem) fail(problem.kind, `entry ${i.index}: ${problem.message}`, path, i.index)
    report.entries.push({
      index: i.index,
      leaf_hash: leaf.toString('hex'),
      entry: JSON.parse(entry.toString('utf8')),
    })
  }

  report.ok = errors.length === 0
  if (report.ok && options.stateDir) {
    const known = references.find((r) => r.remembered)?.checkpoint.size ?? -1
    remember(options.stateDir, checkpoint.origin, note.toString('utf8'), checkpoint.size, known)
    report.remembered = { origin: checkpoint.origin, size: Math.max(known, checkpoint.size) }
  }
  return report
}

/** The entry bundle holding entry `index` in a tree of `size`. */
function bundlePath(index: number, size: number): string {
  const bundle = Math.floor(index / TILE_WIDTH)
  return tilePath({
    level: 'entries',
    index: bundle,
    width: Math.min(TILE_WIDTH, size - bundle * TILE_WIDTH),
  })
}

async function fetchAll(fetchTile: TileFetch, paths: string[]): Promise<Map<string, Buffer>> {
  const fetched = await Promise.all(paths.map(async (path) => [path, await fetchTile(path)] as const))
  const tiles = new Map<string, Buffer>()
  for (const [path, bytes] of fetched) {
    if (!bytes)
      throw new GoblinError('TLOG_MISSING_TILE', `${path} is missing, though the checkpoint needs it`, {
        hint: 'The log publishes a checkpoint without its tiles: run goblin audit checkpoint (or push) again.',
        exit: ExitCode.notOk,
      })
    tiles.set(path, bytes)
  }
  return tiles
}

/** The entry's own checks (canonical form, signature under a trusted key, seq = its index). */
function entryProblem(
  entry: Buffer,
  index: number,
  table: KeyTable,
): { kind: string; message: string } | null {
  const results = allocateEntryResults(1, false)
  const [detail] = checkRange(entry, Float64Array.of(0), Float64Array.of(entry.length), 0, 1, table, results)
  if (detail) {
    const kind =
      results.status[0] === EntryStatus.unknownKey
        ? 'unknown-key'
        : results.status[0] === EntryStatus.badSignature
          ? 'bad-signature'
          : 'modified-entry'
    return { kind, message: detail.message }
  }
  if (results.seq[0] !== index)
    return { kind: 'reorder', message: `it carries seq ${results.seq[0]}, not ${index}` }
  return null
}
