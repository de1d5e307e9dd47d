import type { GroupKey } from '../collector/usage-groups.js'
import { roundUsd } from './price-call.js'
import type { CostRow } from './price-groups.js'

/**
 * The rows a human report shows: rows whose keys differ only in the spelling of one model
 * (`gpt-4o-mini-2024-07-18` and `gpt-4o-mini`, see `modelDisplayName`) merged into one row under the shared
 * name, sums added, sorted by USD. `--json` keeps the rows as the spans named them.
 */
export function rowsByModelName(rows: CostRow[], by: readonly GroupKey[]): CostRow[] {
  if (!by.includes('model')) return rows
  const merged = new Map<string, CostRow>()
  for (const row of rows) {
    const key = { ...row.key, ...(row.modelName ? { model: row.modelName } : {}) }
    const id = JSON.stringify(by.map((k) => key[k]))
    const into = merged.get(id)
    if (!into) {
      merged.set(id, { ...row, key })
      continue
    }
    into.usd = roundUsd(into.usd + row.usd)
    into.calls = sumKnown(into.calls, row.calls)
    into.inputTokens = sumKnown(into.inputTokens, row.inputTokens)
    into.outputTokens = sumKnown(into.outputTokens, row.outputTokens)
    into.cachedInputTokens = sumKnown(into.cachedInputTokens, row.cachedInputTokens)
    into.unknownModelCalls += row.unknownModelCalls
    into.unmeteredCalls += row.unmeteredCalls
    if (row.metricsUsd !== undefined) into.metricsUsd = roundUsd((into.metricsUsd ?? 0) + row.metricsUsd)
  }
  return [...merged.values()].sort((a, b) => b.usd - a.usd || (b.calls ?? 0) - (a.calls ?? 0))
}

/** Null (a backend that does not know the count) stays null only when neither side knows it. */
function sumKnown(a: number | null, b: number | null): number | null {
  return a === null && b === null ? null : (a ?? 0) + (b ?? 0)
}
