import { z } from 'zod'

/**
 * goblin's own price-table format: USD per token for each model, the provider that bills it, where the
 * prices came from and the day they were taken. The bundled snapshot and every imported table use it.
 */
export const PRICE_TABLE_FORMAT = 'goblin-prices'

const perToken = z.number().nonnegative().finite()

export const modelPriceSchema = z.strictObject({
  model: z.string().min(1),
  provider: z.string().min(1),
  inputPerToken: perToken,
  outputPerToken: perToken,
  /** Price of an input token served from the provider's prompt cache; the input price when absent. */
  cachedInputPerToken: perToken.optional(),
  /** Price of an input token written to the prompt cache; the input price when absent. */
  cacheCreationInputPerToken: perToken.optional(),
  /** LiteLLM's `mode` (chat, completion, embedding, responses, ...), kept for listing. */
  mode: z.string().optional(),
})

export const priceTableSchema = z.strictObject({
  format: z.literal(PRICE_TABLE_FORMAT),
  version: z.literal(1),
  /** The day the prices were taken (YYYY-MM-DD). */
  takenAt: z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'a date, YYYY-MM-DD'),
  source: z.string().min(1),
  models: z.array(modelPriceSchema).min(1, 'a price table needs at least one model'),
})

export type ModelPrice = z.infer<typeof modelPriceSchema>
export type PriceTable = z.infer<typeof priceTableSchema>

/** Where a resolved price came from, for `cost prices show` and report footers. */
export type PriceOrigin = 'bundled' | 'imported' | `plugin:${string}`

/** A model price with the table layer it came from. */
export interface SourcedPrice extends ModelPrice {
  origin: PriceOrigin
}
