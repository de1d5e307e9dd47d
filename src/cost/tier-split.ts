import type { GroupKey, UsageFilter, UsageGroup } from '../collector/usage-groups.js'
import type { PriceBook } from './price-book.js'

/**
 * A report sums many calls before pricing them, but a tiered price (`*_above_200k_tokens`) depends on each
 * call's own prompt. Splitting every group by tier class in SQL would cost every report a sort, so only the
 * groups that need it are split: those of a tiered model whose largest prompt exceeds the lowest threshold in
 * force. For them one more query sums the calls above that threshold by tier class; what remains of the group
 * lies below every threshold and pays the base rates.
 */
export function splitByTier(
  groups: UsageGroup[],
  book: PriceBook,
  by: readonly GroupKey[],
  filter: UsageFilter,
  query: (filter: UsageFilter, tierThresholds: readonly number[]) => UsageGroup[],
): UsageGroup[] {
  const thresholds = book.tierThresholds()
  const lowest = thresholds[0]
  if (lowest === undefined) return groups
  const tiered = groups.filter(
    (g) =>
      !g.fromMetrics &&
      g.model !== null &&
      g.promptSize > lowest &&
      (book.resolve(g.model, g.provider)?.price.tiers?.length ?? 0) > 0,
  )
  if (tiered.length === 0) return groups
  const models = [...new Set(tiered.map((g) => g.model as string))]
  const above = query({ ...filter, models, aboveInput: lowest }, thresholds)
  const byId = new Map(
    groups.map((g) => [groupId(g, by), { ...g, tokens: { ...g.tokens }, unpriced: { ...g.unpriced } }]),
  )
  for (const part of above) {
    const rest = byId.get(groupId(part, by))
    if (!rest) continue
    rest.calls -= part.calls
    rest.unmeteredCalls -= part.unmeteredCalls
    rest.spanCost -= part.spanCost
    rest.spanCostCalls -= part.spanCostCalls
    subtract(rest.tokens, part.tokens)
    subtract(rest.unpriced, part.unpriced)
    // Every call left lies at or below the lowest threshold: the base rates.
    rest.promptSize = lowest
  }
  return [...[...byId.values()].filter((g) => g.calls > 0 || g.fromMetrics), ...above]
}

function groupId(g: UsageGroup, by: readonly GroupKey[]): string {
  return JSON.stringify([g.model, g.provider, by.map((k) => g.keys[k] ?? null), g.fromMetrics ?? false])
}

function subtract(into: UsageGroup['tokens'], part: UsageGroup['tokens']): void {
  into.input -= part.input
  into.output -= part.output
  into.cacheRead -= part.cacheRead
  into.cacheCreation -= part.cacheCreation
  into.cacheWrite1h = (into.cacheWrite1h ?? 0) - (part.cacheWrite1h ?? 0)
}
