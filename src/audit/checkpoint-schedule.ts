import type { DurationLimits } from '../core/duration.js'
import { sleepLong } from '../core/long-timeout.js'
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

/** `--every`: a duration (`30s`, `15m`, `1h`, `30d`) from one second to a year. */
export const CHECKPOINT_INTERVAL_LIMITS: DurationLimits = { minMs: 1000, maxMs: 366 * 86_400_000 }

/** Checkpoints now and then every `everyMs` until `signal` aborts; a round where the log did not grow is skipped. */
export async function checkpointOnSchedule(
  ledgerDir: string,
  signer: NoteSigner,
  origin: string,
  everyMs: number,
  options: { signal: AbortSignal; onCheckpoint: (created: CreatedCheckpoint) => void | Promise<void> },
): Promise<number> {
  let made = 0
  while (!options.signal.aborted) {
    const { leaves } = await ledgerLeafHashes(ledgerDir)
    const latest = latestCheckpoint(ledgerDir)
    if (leaves.count > 0 && (!latest || leaves.count > latest.checkpoint.size)) {
      await options.onCheckpoint(await createCheckpoint(ledgerDir, signer, origin))
      made++
    }
    await sleepLong(everyMs, options.signal)
  }
  return made
}
