import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { listCheckpoints } from '../audit/checkpoint-store.js'
import { LEDGER_FILE, ledgerPaths, readLedgerSnapshot, splitLedgerLines } from '../audit/ledger.js'
import { LATEST_CHECKPOINT_FILE } from '../audit/tile-store.js'
import { parseTilePath, tilePath, tilesForSize } from '../audit/tiles.js'
import { GoblinError } from '../core/errors.js'
import { anchorPaths } from './receipt.js'

/**
 * How a ledger directory maps to objects in a bucket (under a prefix), and back. The log is cut into
 * sealed segments at checkpoint sizes: `log/<from>-<to>.jsonl` holds lines from..to-1, exactly as in
 * `log.jsonl`, and is sealed by the signed checkpoint at `to` (lines after the latest checkpoint are not
 * pushed until a checkpoint covers them). Checkpoints, proofs and receipts keep their file names under
 * `checkpoints/`. Segments and checkpoints never change; receipts and proofs grow (upgrade, Ethereum),
 * and in an Object Lock bucket a new version never removes the locked old one.
 */

export type ObjectKind = 'segment' | 'tile' | 'checkpoint' | 'latest' | 'proof' | 'receipt'

export interface LedgerObject {
  /** Key relative to the prefix. */
  key: string
  kind: ObjectKind
  body: Buffer
}

/**
 * Upload order: a receipt is only ever in the bucket after the checkpoint and proof it names, and the
 * published `checkpoint` (what a tile reader trusts first) only after every tile it needs.
 */
export const KIND_ORDER: ObjectKind[] = ['segment', 'tile', 'checkpoint', 'latest', 'proof', 'receipt']

/** Kinds whose objects may get a new version (everything else differing in the bucket is a conflict). */
export const GROWING_KINDS = new Set<ObjectKind>(['latest', 'proof', 'receipt'])

const pad = (n: number) => String(n).padStart(12, '0')

/** The objects that represent the ledger directory's sealed state. */
export async function ledgerObjects(ledgerDir: string): Promise<LedgerObject[]> {
  const bytes = await readLedgerSnapshot(ledgerDir)
  const lines = splitLedgerLines(bytes)
  const checkpoints = listCheckpoints(ledgerDir).filter((c) => c.size <= lines.count)
  const objects: LedgerObject[] = []
  let from = 0
  for (const { size } of checkpoints) {
    if (size <= from) continue
    const start = lines.starts[from] as number
    const end = (lines.ends[size - 1] as number) + 1
    objects.push({
      key: `log/${pad(from)}-${pad(size)}.jsonl`,
      kind: 'segment',
      body: bytes.subarray(start, end),
    })
    from = size
  }
  // The C2SP tiles of each pushed checkpoint size, and the published checkpoint, so the bucket serves
  // `goblin audit verify --source` as a tile log (Object Lock suits them: every tile path is immutable).
  const tiles = new Set(checkpoints.flatMap((c) => tilesForSize(c.size).map(tilePath)))
  for (const key of tiles) {
    const file = join(ledgerDir, key)
    if (existsSync(file)) objects.push({ key, kind: 'tile', body: readFileSync(file) })
  }
  const latest = join(ledgerDir, LATEST_CHECKPOINT_FILE)
  if (existsSync(latest))
    objects.push({ key: LATEST_CHECKPOINT_FILE, kind: 'latest', body: readFileSync(latest) })
  for (const { size, path } of checkpoints) {
    objects.push({ key: `checkpoints/${size}.note`, kind: 'checkpoint', body: readFileSync(path) })
    const anchor = anchorPaths(ledgerDir, size)
    if (existsSync(anchor.ots))
      objects.push({ key: `checkpoints/${size}.ots`, kind: 'proof', body: readFileSync(anchor.ots) })
    if (existsSync(anchor.receipt)) {
      objects.push({
        key: `checkpoints/${size}.anchor.json`,
        kind: 'receipt',
        body: readFileSync(anchor.receipt),
      })
    }
  }
  return objects.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind))
}

/** The kind of a key relative to the prefix, or null for keys goblin did not write. */
export function objectKind(key: string): ObjectKind | null {
  if (/^log\/\d{12}-\d{12}\.jsonl$/.test(key)) return 'segment'
  if (parseTilePath(key)) return 'tile'
  if (key === LATEST_CHECKPOINT_FILE) return 'latest'
  if (/^checkpoints\/(0|[1-9]\d*)\.note$/.test(key)) return 'checkpoint'
  if (/^checkpoints\/(0|[1-9]\d*)\.ots$/.test(key)) return 'proof'
  if (/^checkpoints\/(0|[1-9]\d*)\.anchor\.json$/.test(key)) return 'receipt'
  return null
}

/**
 * Writes objects read from a bucket back into a ledger directory (`log.jsonl` from the segments in order,
 * the rest under `checkpoints/`). A gap or overlap between segments is an error naming the keys: the
 * bucket does not hold one contiguous log.
 */
export function restoreLedger(
  objects: { key: string; body: Buffer }[],
  ledgerDir: string,
  where: string,
): void {
  const segments = objects
    .filter((o) => objectKind(o.key) === 'segment')
    .map((o) => {
      const [from, to] = (o.key.match(/\d{12}/g) ?? []).map(Number)
      return { ...o, from: from as number, to: to as number }
    })
    .sort((a, b) => a.from - b.from)
  let next = 0
  for (const s of segments) {
    if (s.from !== next) {
      throw new GoblinError(
        'S3_LOG_GAP',
        `${where}: ${s.key} starts at line ${s.from}, but the segments before it end at ${next}`,
        { hint: 'The bucket is missing a segment: push again from a complete ledger.' },
      )
    }
    next = s.to
  }
  const paths = ledgerPaths(ledgerDir)
  mkdirSync(paths.checkpoints, { recursive: true })
  writeFileSync(join(ledgerDir, LEDGER_FILE), Buffer.concat(segments.map((s) => s.body)))
  for (const o of objects) {
    const kind = objectKind(o.key)
    if (!kind || kind === 'segment') continue
    mkdirSync(dirname(join(ledgerDir, o.key)), { recursive: true })
    writeFileSync(join(ledgerDir, o.key), o.body)
  }
}
