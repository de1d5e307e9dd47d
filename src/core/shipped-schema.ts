import { readFileSync } from 'node:fs'
import type { z } from 'zod'
import { type JsonSchema, parseBySchema } from './schema-parse.js'

/** The JSON Schemas the build writes into dist (scripts/write-json-schemas.js), by file name. */
export const SHIPPED_SCHEMAS = {
  config: 'goblin.config.schema.json',
  keyring: 'keyring.schema.json',
} as const

const read = new Map<string, JsonSchema | null>()

/**
 * Parses `value` by the JSON Schema the build derived from a zod schema, as zod would (src/core/
 * schema-parse.ts), or returns undefined: invalid, undecidable there, or no such file (goblin run from its
 * TypeScript sources, as the unit tests do). Then the caller asks zod, which words the error.
 */
function parseByShippedSchema(
  name: keyof typeof SHIPPED_SCHEMAS,
  value: unknown,
): { value: unknown } | undefined {
  const file = SHIPPED_SCHEMAS[name]
  if (!read.has(file)) {
    try {
      read.set(file, JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8')))
    } catch {
      read.set(file, null)
    }
  }
  const schema = read.get(file)
  return schema ? parseBySchema(schema, value) : undefined
}

/**
 * `schema().safeParse(value)`, answered by the shipped JSON Schema where it vouches for the value, so the
 * zod schema is built (and zod loaded) only for a value it does not: to decide, and to word the error.
 */
export function safeParseShipped<S extends z.ZodType>(
  name: keyof typeof SHIPPED_SCHEMAS,
  schema: () => S,
  value: unknown,
): z.ZodSafeParseResult<z.output<S>> {
  const fast = parseByShippedSchema(name, value)
  return fast ? { success: true, data: fast.value as z.output<S> } : schema().safeParse(value)
}
