import { usageError } from '../core/errors.js'
import {
  type CreatedCheckpoint,
  createCheckpoint,
  latestCheckpoint,
  ledgerLeafHashes,
} from './checkpoint-store.js'
import type { NoteSigner } from './signed-note.js'

/**
 * `goblin audit checkpoint --every 1h`: signs a checkpoint whenever the log has grown, on a schedule, so a
 * rewrite of anything already checkpointed is detectable within one interval (and anchorable).
 */

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** Parses `30s`, `15m`, `1h`, `1d` into milliseconds; at least one second. */
export function parseInterval(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text.trim())
  const ms = match ? Number(match[1]) * (UNITS[match[2] as string] as number) : Number.NaN
  if (!(ms >= 1000)) {
    throw usageError(
      'AUDIT_BAD_INTERVAL',
      `--every ${JSON.stringify(text)} is not an interval`,
      'Write it as 30s, 15m, 1h or 1d.',
    )
  }
  return ms
}

/** Checkpoints now and then every `everyMs` until `signal` aborts; a round where the log did not grow is skipped. */
export async function checkpointOnSchedule(
  ledgerDir: string,
  signer: NoteSigner,
  origin: string,
  everyMs: number,
  options: { signal: AbortSignal; onCheckpoint: (created: CreatedCheckpoint) => void },
): Promise<number> {
  let made = 0
  while (!options.signal.aborted) {
    const { leaves } = await ledgerLeafHashes(ledgerDir)
    const latest = latestCheckpoint(ledgerDir)
    if (leaves.count > 0 && (!latest || leaves.count > latest.checkpoint.size)) {
      options.onCheckpoint(await createCheckpoint(ledgerDir, signer, origin))
      made++
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, everyMs)
      options.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer)
          resolve()
        },
        { once: true },
      )
    })
  }
  return made
}
