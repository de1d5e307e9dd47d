import type { CreatedCheckpoint } from './checkpoint-store.js'
import { publishLatest } from './checkpoint-store.js'
import { verifyCosignatures } from './cosignature.js'
import { writeFileDurably } from './durable-file.js'
import { consistencyProofRanges, type LeafRange } from './merkle.js'
import { ALG_COSIGNATURE_V1, parseVerifierKey } from './signed-note.js'
import { localTileFetch } from './tile-store.js'
import { hashFromTiles, tilePath, tilesForRanges } from './tiles.js'

/**
 * The log's side of c2sp.org/tlog-witness: `goblin audit checkpoint` submits each new checkpoint to the
 * witnesses of `audit.witnesses`, with a consistency proof from the size it believes the witness has (the
 * previous checkpoint's; a 409 tells the witness's own, and the proof is made again from there), and
 * stores the cosignatures that verify on the checkpoint note. A witness that does not answer or refuses is
 * an outcome naming it, never a lost checkpoint: the checkpoint is stored before any witness is asked.
 */

export interface WitnessConfig {
  url: string
  vkey: string
}

export interface WitnessOutcome {
  url: string
  name: string
  status: 'cosigned' | 'refused' | 'unreachable'
  detail: string
}

/** Submits `created` to each witness and stores the cosignatures on its note; returns what each did. */
export async function cosignCheckpoint(
  ledgerDir: string,
  created: CreatedCheckpoint,
  witnesses: WitnessConfig[],
  options: { timeoutMs?: number } = {},
): Promise<{ note: string; outcomes: WitnessOutcome[] }> {
  const outcomes: WitnessOutcome[] = []
  const lines: string[] = []
  const proofFrom = async (old: number) => {
    const ranges = consistencyProofRanges(old, created.size)
    const fetchTile = localTileFetch(ledgerDir)
    const tiles = new Map<string, Buffer>()
    for (const path of tilesForRanges(ranges, created.size).map(tilePath)) {
      const bytes = await fetchTile(path)
      if (bytes) tiles.set(path, bytes)
    }
    return ranges.map((r: LeafRange) => hashFromTiles(tiles, created.size, r))
  }
  for (const w of witnesses) {
    const cosigner = parseVerifierKey(w.vkey, ALG_COSIGNATURE_V1)
    const outcome = (status: WitnessOutcome['status'], detail: string) =>
      outcomes.push({ url: w.url, name: cosigner.name, status, detail })
    try {
      let old = Math.min(created.previousSize, created.size)
      let answer = await submit(w.url, old, await proofFrom(old), created.note, options.timeoutMs)
      if (answer.status === 409) {
        const theirs = Number(answer.body.trim())
        if (!Number.isSafeInteger(theirs) || theirs > created.size) {
          outcome(
            'refused',
            `409: it has size ${answer.body.trim()}, beyond this checkpoint (${created.size})`,
          )
          continue
        }
        old = theirs
        answer = await submit(w.url, old, await proofFrom(old), created.note, options.timeoutMs)
      }
      if (answer.status !== 200) {
        outcome('refused', `${answer.status}: ${answer.body.trim()}`)
        continue
      }
      // Lines of other keys are ignored, as the spec asks; one of this witness's key must verify.
      const good = answer.body
        .split('\n')
        .filter((line) => line.startsWith('\u2014 '))
        .map((line) => ({
          line: `${line}\n`,
          check: verifyCosignatures(`${created.note}${line}\n`, [cosigner]),
        }))
        .filter((c) => c.check.verified.length > 0)
      if (good.length === 0) {
        outcome('refused', 'it answered no cosignature that verifies under its key')
        continue
      }
      lines.push(...good.map((g) => g.line))
      outcome(
        'cosigned',
        `cosigned at ${new Date((good[0]?.check.verified[0]?.timestamp ?? 0) * 1000).toISOString()}`,
      )
    } catch (error) {
      outcome('unreachable', (error as Error).message)
    }
  }
  if (lines.length === 0) return { note: created.note, outcomes }
  // The note keeps its text and the log's signature; the cosignatures follow them.
  const note = `${created.note}${lines.join('')}`
  writeFileDurably(created.path, note)
  await publishLatest(ledgerDir, note, created.size)
  return { note, outcomes }
}

async function submit(
  url: string,
  old: number,
  proof: Buffer[],
  note: string,
  timeoutMs = 10_000,
): Promise<{ status: number; body: string }> {
  const body = `old ${old}\n${proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${note}`
  const prefix = url.endsWith('/') ? url : `${url}/`
  const response = await fetch(new URL('add-checkpoint', prefix), {
    method: 'POST',
    body,
    signal: AbortSignal.timeout(timeoutMs),
  })
  return { status: response.status, body: await response.text() }
}
