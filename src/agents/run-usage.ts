import { readEmbeddedUsage } from '../cost/embedded-usage.js'
import { priceGroups } from '../cost/price-groups.js'
import { loadPrices } from '../cost/price-sources.js'

/** What one agent run cost, as the collector recorded it. */
export interface RunUsage {
  calls: number
  inputTokens: number
  outputTokens: number
  cachedInputTokens: number
  usd: number
  /** Calls of a model the price table does not know and that carried no cost of their own: not in `usd`. */
  unknownModelCalls: number
  /** Calls that reported neither token counts nor a cost: counted, not priced. */
  unmeteredCalls: number
  /** The agent sessions (conversations) the calls belong to: usually one. */
  sessions: string[]
  /** Why the numbers may be incomplete (no store yet, ...). */
  notes: string[]
}

/**
 * The LLM calls of one run: those of its task (every run has its own unless `--task` names a shared one),
 * started within the run's window, read from the embedded collector's store and priced as `cost report`
 * prices them.
 */
export async function runUsage(options: {
  home: string
  task: string
  sinceNs: bigint
  untilNs: bigint
}): Promise<RunUsage> {
  const prices = await loadPrices({ home: options.home })
  const usage = await readEmbeddedUsage(
    ['session'],
    { sinceNs: options.sinceNs, untilNs: options.untilNs, task: options.task },
    prices.book,
    options.home,
  )
  const { total } = priceGroups(usage.groups, prices.book, ['session'])
  const sessions = usage.groups.flatMap((g) => g.keys.session ?? [])
  return {
    calls: total.calls ?? 0,
    inputTokens: total.inputTokens ?? 0,
    outputTokens: total.outputTokens ?? 0,
    cachedInputTokens: total.cachedInputTokens ?? 0,
    usd: total.usd,
    unknownModelCalls: total.unknownModelCalls,
    unmeteredCalls: total.unmeteredCalls,
    sessions: [...new Set(sessions)],
    notes: usage.note ? [usage.note] : [],
  }
}
