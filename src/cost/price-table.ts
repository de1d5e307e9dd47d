import type { z } from 'zod'
import { lazySchema } from '../core/lazy-zod.js'

/**
 * goblin's own price-table format: USD per token for each model, the provider that bills it, where the
 * prices came from and the day they were taken. The bundled tables and every imported table use it.
 * Version 2 adds the 1-hour cache-write rate, a separate reasoning rate and prompt-size tiers; version 1
 * tables (base rates and the 5-minute cache only) are still read.
 */
export const PRICE_TABLE_FORMAT = 'goblin-prices'
/** The version goblin writes. */
export const PRICE_TABLE_VERSION = 2

/**
 * The format's zod schemas, built when first asked for (src/core/lazy-zod.ts): reading the tables goblin ships
 * needs none of them, only a table from elsewhere (an import, a price file) is checked with them.
 */
export const priceTableSchemas = lazySchema((z) => {
  const perToken = z.number().nonnegative().finite()

  /** The rates a tier may override; a rate it leaves out stays the model's base rate. */
  const tierRates = {
    inputPerToken: perToken.optional(),
    outputPerToken: perToken.optional(),
    cachedInputPerToken: perToken.optional(),
    cacheCreationInputPerToken: perToken.optional(),
    cacheWrite1hPerToken: perToken.optional(),
    reasoningPerToken: perToken.optional(),
  }

  const priceTierSchema = z
    .strictObject({
      /**
       * The tier applies to a whole request whose prompt has more than this many tokens (LiteLLM's
       * `*_above_200k_tokens`): every token of that request is billed at the tier's rates, not only the excess.
       */
      aboveInputTokens: z.number().int().positive(),
      ...tierRates,
    })
    .refine((tier) => Object.keys(tier).length > 1, 'a tier needs at least one rate')

  const v1Fields = {
    model: z.string().min(1),
    provider: z.string().min(1),
    inputPerToken: perToken,
    outputPerToken: perToken,
    /** Price of an input token served from the provider's prompt cache; the input price when absent. */
    cachedInputPerToken: perToken.optional(),
    /** Price of an input token written to the prompt cache (the 5-minute cache); the input price when absent. */
    cacheCreationInputPerToken: perToken.optional(),
    /** LiteLLM's `mode` (chat, completion, embedding, responses, ...), kept for listing. */
    mode: z.string().optional(),
  }

  const modelPriceV1Schema = z.strictObject(v1Fields)

  const modelPriceSchema = z.strictObject({
    ...v1Fields,
    /** Price of an input token written to Anthropic's 1-hour cache; the 5-minute rate when absent. */
    cacheWrite1hPerToken: perToken.optional(),
    /** Price of a reasoning token when billed apart from output; the output price when absent. */
    reasoningPerToken: perToken.optional(),
    /** Higher rates for long prompts, by ascending threshold; the highest threshold a prompt exceeds wins. */
    tiers: z
      .array(priceTierSchema)
      .min(1)
      .refine(
        (tiers) =>
          tiers.every((t, i) => i === 0 || t.aboveInputTokens > (tiers[i - 1]?.aboveInputTokens ?? 0)),
        'tiers are listed by strictly ascending aboveInputTokens',
      )
      .optional(),
  })

  const tableFields = {
    format: z.literal(PRICE_TABLE_FORMAT),
    /** The day the prices were taken (YYYY-MM-DD). */
    takenAt: z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'a date, YYYY-MM-DD'),
    source: z.string().min(1),
  }

  /** Reads a table of either version; what comes out is always a version-2 table. */
  const priceTableSchema = z
    .discriminatedUnion('version', [
      z.strictObject({
        ...tableFields,
        version: z.literal(1),
        models: z.array(modelPriceV1Schema).min(1, 'a price table needs at least one model'),
      }),
      z.strictObject({
        ...tableFields,
        version: z.literal(PRICE_TABLE_VERSION),
        models: z.array(modelPriceSchema).min(1, 'a price table needs at least one model'),
      }),
    ])
    .transform((table) => ({ ...table, version: PRICE_TABLE_VERSION }) as PriceTable)
  return { priceTableSchema, modelPriceSchema, priceTierSchema }
})

type PriceTableSchemas = ReturnType<typeof priceTableSchemas>
export type ModelPrice = z.infer<PriceTableSchemas['modelPriceSchema']>
export type PriceTier = z.infer<PriceTableSchemas['priceTierSchema']>
export interface PriceTable {
  format: typeof PRICE_TABLE_FORMAT
  version: typeof PRICE_TABLE_VERSION
  takenAt: string
  source: string
  models: ModelPrice[]
}

/** Where a resolved price came from, for `cost prices show` and report footers. */
export type PriceOrigin = 'bundled' | 'override' | 'imported' | `plugin:${string}`

/** A model price with the table layer it came from. */
export interface SourcedPrice extends ModelPrice {
  origin: PriceOrigin
}
