import type { GroupKey, UsageFilter, UsageGroup, UsageQueryOptions } from '../collector/usage-groups.js'
import type { PriceBook } from './price-book.js'
import type { ModelPrice } from './price-table.js'

/**
 * A report sums many calls before pricing them, but a tiered price (`*_above_200k_tokens`) depends on each
 * call's own prompt, and a separate reasoning rate needs the reasoning tokens, which the covering report
 * index does not hold. Splitting every group by tier class, or summing reasoning, in the one query would cost
 * every report a sort or a table lookup per call, so only the groups that need it are queried again:
 *
 * - a model whose reasoning has a price of its own: all its calls, by tier class, reasoning summed;
 * - a tiered model whose largest prompt in a group exceeds the lowest threshold in force: its calls above
 *   that threshold, by tier class. What remains of the group lies below every threshold: the base rates.
 */
export function splitByTier(
  groups: UsageGroup[],
  book: PriceBook,
  by: readonly GroupKey[],
  filter: UsageFilter,
  query: (filter: UsageFilter, options: UsageQueryOptions) => UsageGroup[],
): UsageGroup[] {
  const tierThresholds = book.tierThresholds()
  const lowest = tierThresholds[0] ?? Number.POSITIVE_INFINITY
  const priceOf = (g: UsageGroup) => (g.model === null ? undefined : book.resolve(g.model, g.provider)?.price)
  const calls = groups.filter((g) => !g.fromMetrics)
  const reasoned = models(calls.filter((g) => pricesReasoning(priceOf(g))))
  const tiered = models(
    calls.filter(
      (g) =>
        g.promptSize > lowest &&
        (priceOf(g)?.tiers?.length ?? 0) > 0 &&
        !reasoned.includes(g.model as string),
    ),
  )
  if (reasoned.length === 0 && tiered.length === 0) return groups
  const parts = [
    ...(reasoned.length
      ? query({ ...filter, models: reasoned }, { tierThresholds, withReasoning: true })
      : []),
    ...(tiered.length ? query({ ...filter, models: tiered, aboveInput: lowest }, { tierThresholds }) : []),
  ]
  const byId = new Map(
    groups.map((g) => [groupId(g, by), { ...g, tokens: { ...g.tokens }, unpriced: { ...g.unpriced } }]),
  )
  for (const part of parts) {
    const rest = byId.get(groupId(part, by))
    if (!rest) continue
    rest.calls -= part.calls
    rest.unmeteredCalls -= part.unmeteredCalls
    rest.spanCost -= part.spanCost
    rest.spanCostCalls -= part.spanCostCalls
    subtract(rest.tokens, part.tokens)
    subtract(rest.unpriced, part.unpriced)
    // Every call left lies at or below the lowest threshold: the base rates.
    rest.promptSize = Math.min(rest.promptSize, lowest)
  }
  return [...[...byId.values()].filter((g) => g.calls > 0 || g.fromMetrics), ...parts]
}

/** True when a price bills reasoning at a rate of its own (else reasoning is output, and needs no count). */
function pricesReasoning(price: ModelPrice | undefined): boolean {
  if (!price) return false
  const apart = (r: { reasoningPerToken?: number; outputPerToken?: number }, output: number) =>
    r.reasoningPerToken !== undefined && r.reasoningPerToken !== (r.outputPerToken ?? output)
  return apart(price, price.outputPerToken) || (price.tiers ?? []).some((t) => apart(t, price.outputPerToken))
}

function models(groups: UsageGroup[]): string[] {
  return [...new Set(groups.map((g) => g.model as string))]
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
