import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { openSpanStore, SPAN_DB_FILE } from '../collector/span-store.js'
import type { GroupKey, UsageFilter, UsageGroup } from '../collector/usage-groups.js'
import { goblinHome, homePaths } from '../core/paths.js'
import { metricUsageGroups } from './metric-usage.js'
import type { PriceBook } from './price-book.js'
import { splitByTier } from './tier-split.js'

export interface EmbeddedUsage {
  groups: UsageGroup[]
  /** Why the answer is empty when there is nothing to read (no store yet, a store without the cost index). */
  note?: string
}

/**
 * Reads usage groups from the embedded collector's span store under GOBLIN_HOME, read-only: the calls, split
 * where `book`'s tiers need it (tier-split.ts) so that each group can be priced exactly, and the spend that
 * only a cost metric carries (metric-usage.ts).
 */
export async function readEmbeddedUsage(
  by: readonly GroupKey[],
  filter: UsageFilter,
  book: PriceBook,
  home: string = goblinHome(),
): Promise<EmbeddedUsage> {
  const dir = homePaths.spans(home)
  if (!existsSync(join(dir, SPAN_DB_FILE))) {
    return { groups: [], note: `no span store yet at ${dir}: no LLM calls recorded` }
  }
  const store = await openSpanStore({ dir, readonly: true })
  try {
    const calls = store.llmUsage(by, filter)
    if (calls === null) {
      return {
        groups: [],
        note: 'the span store has no llm_calls index yet; it is built when the embedded collector next starts',
      }
    }
    const groups = splitByTier(
      calls,
      book,
      by,
      filter,
      (part, options) => store.llmUsage(by, part, options) ?? [],
    )
    const fromMetrics = metricUsageGroups(store.metrics, by, filter, () => {
      const window = { sinceNs: filter.sinceNs, untilNs: filter.untilNs }
      const counted = store.llmUsage(['session', 'service'], window) ?? []
      return {
        sessions: new Set(counted.flatMap((g) => g.keys.session ?? [])),
        services: new Set(counted.flatMap((g) => g.keys.service ?? [])),
      }
    })
    return { groups: [...groups, ...fromMetrics] }
  } finally {
    store.close()
  }
}
