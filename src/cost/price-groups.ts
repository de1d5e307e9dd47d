import type { GroupKey, TokenCounts, UsageGroup } from '../collector/usage-groups.js'
import { modelDisplayName } from './model-names.js'
import type { PriceBook } from './price-book.js'
import { priceTokens, roundUsd } from './usage-cost.js'

/** One row of a cost report. Calls and tokens are null when the backend does not know them (Prometheus). */
export interface CostRow {
  /** The group's value for each `by` key; `(none)` when the spans did not carry it. */
  key: Partial<Record<GroupKey, string>>
  usd: number
  calls: number | null
  inputTokens: number | null
  outputTokens: number | null
  cachedInputTokens: number | null
  /** Calls of a model missing from the price table and without `llm.cost`: not in `usd`, never priced as 0. */
  unknownModelCalls: number
  /** Calls that reported no token counts and no cost of their own: counted, flagged, priced at nothing known. */
  unmeteredCalls: number
  /**
   * With `--by model`: the name a human report shows for `key.model` (`modelDisplayName`), which the dated and
   * undated names of one model share; `key.model` keeps the name the spans used.
   */
  modelName?: string
  /**
   * The part of `usd` read from a sender's cost metric (Claude Code's `claude_code.cost.usage`) for sessions
   * that sent no calls; set only when there is some. Such spend has tokens but no call count.
   */
  metricsUsd?: number
}

export interface UnknownModel {
  model: string
  provider: string | null
  calls: number
}

export interface PricedGroups {
  rows: CostRow[]
  total: CostRow
  unknownModels: UnknownModel[]
}

export const NONE = '(none)'

/** Prices usage groups (span `llm.cost` first, tokens x price for the rest) and merges them by the `by` keys. */
export function priceGroups(groups: UsageGroup[], book: PriceBook, by: readonly GroupKey[]): PricedGroups {
  const merged = new Map<string, CostRow>()
  const unknown = new Map<string, UnknownModel>()
  const total = emptyRow({})
  for (const group of groups) {
    const match = group.model ? book.resolve(group.model, group.provider) : null
    const unpricedCalls = group.calls - group.spanCostCalls
    let usd = group.spanCost
    let unknownCalls = 0
    if (match) usd += priceTokens(group.unpriced, match.price, group.promptSize)
    else if (unpricedCalls > 0) {
      unknownCalls = unpricedCalls
      const name = group.model ?? NONE
      const id = `${name}\u0000${group.provider ?? ''}`
      const known = unknown.get(id) ?? { model: name, provider: group.provider, calls: 0 }
      known.calls += unpricedCalls
      unknown.set(id, known)
    }
    const key: Partial<Record<GroupKey, string>> = {}
    for (const k of by) {
      const value = k === 'model' ? group.model : k === 'provider' ? group.provider : group.keys[k]
      key[k] = value ?? NONE
    }
    const id = JSON.stringify(by.map((k) => key[k]))
    let row = merged.get(id)
    if (!row) {
      row = emptyRow(key)
      merged.set(id, row)
    }
    for (const target of [row, total]) {
      add(target, usd, group.calls, group.tokens, unknownCalls)
      target.unmeteredCalls += group.unmeteredCalls
      if (group.fromMetrics) target.metricsUsd = (target.metricsUsd ?? 0) + usd
    }
  }
  const rows = [...merged.values()]
  for (const row of [...rows, total]) {
    row.usd = roundUsd(row.usd)
    if (row.metricsUsd !== undefined) row.metricsUsd = roundUsd(row.metricsUsd)
  }
  if (by.includes('model')) {
    for (const row of rows) {
      const model = row.key.model
      if (model && model !== NONE) row.modelName = modelDisplayName(model, book)
    }
  }
  rows.sort((a, b) => b.usd - a.usd || (b.calls ?? 0) - (a.calls ?? 0))
  return { rows, total, unknownModels: [...unknown.values()].sort((a, b) => b.calls - a.calls) }
}

function emptyRow(key: Partial<Record<GroupKey, string>>): CostRow {
  return {
    key,
    usd: 0,
    calls: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    unknownModelCalls: 0,
    unmeteredCalls: 0,
  }
}

function add(row: CostRow, usd: number, calls: number, tokens: TokenCounts, unknownCalls: number): void {
  row.usd += usd
  row.calls = (row.calls ?? 0) + calls
  row.inputTokens = (row.inputTokens ?? 0) + tokens.input
  row.outputTokens = (row.outputTokens ?? 0) + tokens.output
  row.cachedInputTokens = (row.cachedInputTokens ?? 0) + tokens.cacheRead
  row.unknownModelCalls += unknownCalls
}
