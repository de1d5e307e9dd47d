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
import { keyLabel } from './signed-note.js'
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
  fetchTile = once(fetchTile)
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
  // The tiles the consistency proofs need, fetched in parallel (each path once: see `once`).
  const consistency = references
    .filter((r) => r.checkpoint.size <= checkpoint.size)
    .map((r) => ({ r, ranges: consistencyProofRanges(r.checkpoint.size, checkpoint.size) }))
  const tiles = await fetchAll(
    fetchTile,
    tilesForRanges(
      consistency.flatMap((c) => c.ranges),
      checkpoint.size,
    ).map(tilePath),
  )

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

  const table = keyTable(trusted)
  for (const index of indexes) {
    const found = await entryFromTiles(fetchTile, index, checkpoint.size)
    if ('kind' in found) {
      fail(found.kind, found.message, found.file, index)
      continue
    }
    const included = verifyInclusion(index, checkpoint.size, found.leaf, found.proof, checkpoint.root)
    if (!included.ok) {
      fail('not-included', `entry ${index}: ${included.reason}`, found.file, index)
      continue
    }
    const problem = entryProblem(found.entry, index, table)
    if (problem) fail(problem.kind, `entry ${index}: ${problem.message}`, found.file, index)
    report.entries.push({
      index,
      leaf_hash: found.leaf.toString('hex'),
      entry: JSON.parse(found.entry.toString('utf8')),
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

/** The keys entries may name, as entry-check takes them. */
export function keyTable(trusted: TrustedKey[]): KeyTable {
  return {
    kids: trusted.map((t) => keyLabel(t.verifier.name, t.verifier.keyId)),
    publicKeys: trusted.map((t) => t.verifier.publicKey),
  }
}

/**
 * Entry `index` of the tree of `size` from its entry bundle, its leaf hash (which must be the level-0
 * tile's), and its inclusion proof hashed from the tiles: what a proof of that entry needs. The caller
 * checks the proof against the checkpoint's root.
 */
export async function entryFromTiles(
  fetchTile: TileFetch,
  index: number,
  size: number,
): Promise<
  | { entry: Buffer; leaf: Buffer; proof: Buffer[]; file: string }
  | { kind: string; message: string; file: string }
> {
  const ranges = inclusionProofRanges(index, size)
  const leafRange: LeafRange = [index, index + 1]
  const file = bundlePath(index, size)
  const tiles = await fetchAll(fetchTile, [
    ...tilesForRanges([...ranges, leafRange], size).map(tilePath),
    file,
  ])
  const entry = decodeEntryBundle(tiles.get(file) as Buffer, file)[index % TILE_WIDTH]
  if (!entry) return { kind: 'tile-mismatch', message: `${file} has no entry ${index}`, file }
  const leaf = leafHash(entry)
  if (!leaf.equals(hashFromTiles(tiles, size, leafRange)))
    return {
      kind: 'tile-mismatch',
      message: `entry ${index} in ${file} does not hash to its leaf in the tiles`,
      file,
    }
  return { entry, leaf, proof: ranges.map((range) => hashFromTiles(tiles, size, range)), file }
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

/** A fetcher that asks for each path once (proofs of several entries share their upper tiles). */
function once(fetchTile: TileFetch): TileFetch {
  const seen = new Map<string, Promise<Buffer | null>>()
  return (path) => {
    let answer = seen.get(path)
    if (!answer) {
      answer = fetchTile(path)
      seen.set(path, answer)
    }
    return answer
  }
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
export function entryProblem(
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
