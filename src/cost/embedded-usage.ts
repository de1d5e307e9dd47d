import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { openSpanStore, SPAN_DB_FILE } from '../collector/span-store.js'
import type { GroupKey, UsageFilter, UsageGroup } from '../collector/usage-groups.js'
import { goblinHome, homePaths } from '../core/paths.js'

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
    const groups = store.llmUsage(by, filter)
    if (groups === null) {
      return {
        groups: [],
        note: 'the span store has no llm_calls index yet; it is built when the embedded collector next starts',
      }
    }
    return { groups }
  } finally {
    store.close()
  }
}
