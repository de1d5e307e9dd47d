import type { PriceList } from '../cost/price-queries.js'
import { formatPerMillion } from './cost-format.js'
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
      { header: 'FROM', value: (p) => p.origin, color: (p) => (p.origin === 'bundled' ? 'gray' : 'cyan') },
    ],
    { color: options.color, columns: Math.max(options.columns, 120) },
  )
  return `${sources}\n\n${list.models.length > 0 ? table : 'No model matches.'}`
}
