import { type EffectiveRates, ratesFor } from '../cost/price-call.js'
import type { PriceList, PriceShow } from '../cost/price-queries.js'
import { formatCount, formatPerMillion } from './format.js'
import { renderTable } from './table.js'

/** `goblin cost prices list`'s human output: where the tables came from, then one line per model (USD per 1M tokens). */
export function renderPriceList(list: PriceList, options: { color: boolean; columns: number }): string {
  const sources = list.tables
    .map((t) => `${t.origin}: ${t.models} models from ${t.source}${t.takenAt ? ` (taken ${t.takenAt})` : ''}`)
    .join('\n')
  const table = renderTable(
    list.models,
    [
      { header: 'MODEL', value: (p) => p.model },
      { header: 'PROVIDER', value: (p) => p.provider },
      { header: 'INPUT/1M', value: (p) => formatPerMillion(p.inputPerToken), align: 'right' },
      { header: 'CACHED/1M', value: (p) => formatPerMillion(p.cachedInputPerToken), align: 'right' },
      {
        header: 'CACHE WRITE/1M',
        value: (p) => formatPerMillion(p.cacheCreationInputPerToken),
        align: 'right',
      },
      { header: 'OUTPUT/1M', value: (p) => formatPerMillion(p.outputPerToken), align: 'right' },
      {
        header: 'TIERS',
        value: (p) => (p.tiers ?? []).map((t) => `>${formatCount(t.aboveInputTokens)}`).join(' '),
      },
      { header: 'FROM', value: (p) => p.origin, tone: (p) => (p.origin === 'bundled' ? 'gray' : 'cyan') },
    ],
    options,
  )
  return `${sources}\n\n${list.models.length > 0 ? table : 'No model matches.'}`
}

/** `goblin cost prices show`'s human output: the base rates, then each prompt-size tier's. */
export function renderPriceShow(shown: PriceShow): string {
  const p = shown.price
  const how = shown.matchedBy === 'exact' ? '' : ` (alias of ${p.model})`
  const rows = (rates: EffectiveRates, indent: string) =>
    [
      `input          ${formatPerMillion(rates.input)} / 1M tokens`,
      `cached input   ${formatPerMillion(rates.cacheRead)} / 1M tokens`,
      `cache writes   ${formatPerMillion(rates.cacheWrite5m)} / 1M tokens (5 minutes), ${formatPerMillion(rates.cacheWrite1h)} (1 hour)`,
      `output         ${formatPerMillion(rates.output)} / 1M tokens`,
      `reasoning      ${formatPerMillion(rates.reasoning)} / 1M tokens`,
    ].map((row) => `${indent}${row}`)
  const lines = [
    `${shown.requested}${how}: ${p.provider}, from ${p.origin} prices`,
    ...rows(ratesFor(p, 0), '  '),
  ]
  for (const tier of p.tiers ?? []) {
    lines.push(`  prompts over ${formatCount(tier.aboveInputTokens)} tokens (every token of the request):`)
    lines.push(...rows(ratesFor(p, tier.aboveInputTokens + 1), '    '))
  }
  return lines.join('\n')
}
