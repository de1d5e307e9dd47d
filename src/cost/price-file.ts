import { usageError } from '../core/errors.js'
import { fromLiteLlm, looksLikeLiteLlm } from './litellm-prices.js'
import { PRICE_TABLE_FORMAT, type PriceTable, priceTableSchemas } from './price-table.js'

export type PriceFileFormat = 'goblin' | 'litellm'

export interface ParsedPriceFile {
  table: PriceTable
  format: PriceFileFormat
  /** LiteLLM entries without per-token prices; 0 for goblin's format. */
  skipped: number
}

/**
 * Parses price-file text in either goblin's format (`"format": "goblin-prices"`) or LiteLLM's, validating
 * every price. Pure: `where` names the file in error messages, `meta` dates a LiteLLM file (which carries no date).
 */
export function parsePriceFile(
  text: string,
  where: string,
  meta: { takenAt: string; source: string },
): ParsedPriceFile {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (error) {
    throw usageError(
      'PRICES_MALFORMED',
      `${where}: not valid JSON (${(error as Error).message})`,
      'Fix or re-download the price file; the previous price table is kept.',
    )
  }
  if (
    typeof doc === 'object' &&
    doc !== null &&
    (doc as { format?: unknown }).format === PRICE_TABLE_FORMAT
  ) {
    const result = priceTableSchemas().priceTableSchema.safeParse(doc)
    if (!result.success) {
      const issue = result.error.issues[0]
      const path = issue?.path.map(String).join('.') || '(top level)'
      throw usageError(
        'PRICES_MALFORMED',
        `${where}: ${path}: ${issue?.message ?? 'invalid'}`,
        'Fix the price table; the previous price table is kept.',
      )
    }
    return { table: result.data, format: 'goblin', skipped: 0 }
  }
  if (looksLikeLiteLlm(doc)) {
    const { table, skipped } = fromLiteLlm(doc, where, meta)
    return { table, format: 'litellm', skipped }
  }
  throw usageError(
    'PRICES_UNKNOWN_FORMAT',
    `${where}: neither a goblin price table nor a LiteLLM model price file`,
    'Import LiteLLM\'s model_prices_and_context_window.json or a file written in goblin\'s "goblin-prices" format.',
  )
}
