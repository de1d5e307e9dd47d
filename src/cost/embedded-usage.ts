import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { openSpanStore, SPAN_DB_FILE } from '../collector/span-store.js'
import { goblinHome, homePaths } from '../core/paths.js'
import { tableExists } from './llm-index.js'
import { type GroupKey, queryUsageGroups, type UsageFilter, type UsageGroup } from './usage-groups.js'

export interface EmbeddedUsage {
  groups: UsageGroup[]
  /** Why the answer is empty when there is nothing to read (no store yet, a store without the cost index). */
  note?: string
}

/** Reads usage groups from the embedded collector's span store under GOBLIN_HOME, read-only. */
export async function readEmbeddedUsage(
  by: readonly GroupKey[],
  filter: UsageFilter,
  home: string = goblinHome(),
): Promise<EmbeddedUsage> {
  const dir = homePaths.spans(home)
  if (!existsSync(join(dir, SPAN_DB_FILE))) {
    return { groups: [], note: `no span store yet at ${dir}: no LLM calls recorded` }
  }
  const store = await openSpanStore({ dir, readonly: true })
  try {
    if (!tableExists(store.db)) {
      return {
        groups: [],
        note: 'the span store has no llm_calls index yet; it is built when the embedded collector next starts',
      }
    }
    return { groups: queryUsageGroups(store.db, by, filter) }
  } finally {
    store.close()
  }
}
