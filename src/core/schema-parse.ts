/**
 * Parses a value by the JSON Schema that zod writes for one of goblin's schemas (`z.toJSONSchema`, written
 * into dist at build: goblin.config.json's and the audit keyring's), giving what zod's own parse gives —
 * defaults filled, keys in the schema's order — or `undefined` when it cannot vouch for that: the value is
 * invalid, or the schema or value needs something this reader does not know. Then zod decides, and words the
 * error. It exists for start-up: building a zod schema and loading zod cost a command about as much as a bare
 * `node` start, and a valid file, the common case, needs neither (src/core/shipped-schema.ts).
 *
 * It follows zod where zod reads a keyword its own way: a string's length counts code points (as the spec
 * and zod's `.min()` do), an integer is a safe integer (zod's `.int()`), a default is taken as written, without
 * being checked (zod 4's `.default()`), and a URL (`format: "uri"`) is accepted only as `URL.canParse` takes it
 * with no surrounding whitespace, tab or newline, which zod would strip (such a URL goes to zod); a
 * `date-time` is what its `pattern` (zod's own regex) accepts.
 * test/unit/core/schema-parse.test.ts holds it equal to zod over generated values and checks that the zod
 * schemas use nothing that the JSON Schema does not show.
 */
export type JsonSchema = { readonly [keyword: string]: unknown }

/** A parsed value, boxed so that a parse can tell "gave up" (undefined) from a value. */
export interface Parsed {
  value: unknown
}

/** Keywords that only describe; everything else in a schema must be one this file checks. */
const ANNOTATIONS = new Set(['$schema', 'title', 'description', 'default'])
const CHECKED = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'items',
  'minItems',
  'enum',
  'minLength',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'const',
  'anyOf',
])

/** Parses `value` by `schema` as zod would, or returns undefined (invalid, or not decidable here). */
export function parseBySchema(schema: JsonSchema, value: unknown): Parsed | undefined {
  for (const keyword of Object.keys(schema)) {
    if (!CHECKED.has(keyword) && !ANNOTATIONS.has(keyword)) return undefined
  }
  if (value === undefined) {
    // An absent property: its default, or absence itself when it has none (the caller leaves the key out).
    return 'default' in schema ? { value: structuredClone(schema.default) } : { value: undefined }
  }
  if (schema.enum !== undefined && !(Array.isArray(schema.enum) && schema.enum.includes(value)))
    return undefined
  if ('const' in schema && value !== schema.const) return undefined
  // zod's union and nullable: the first branch that takes the value.
  if (Array.isArray(schema.anyOf)) {
    for (const branch of schema.anyOf as JsonSchema[]) {
      const parsed = parseBySchema(branch, value)
      if (parsed) return parsed
    }
    return undefined
  }
  switch (schema.type) {
    case 'null':
      return value === null ? { value } : undefined
    case 'object':
      return parseObject(schema, value)
    case 'array':
      return parseArray(schema, value)
    case 'string':
      return typeof value === 'string' && stringOk(schema, value) ? { value } : undefined
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) && numberOk(schema, value)
        ? { value }
        : undefined
    case 'integer':
      return Number.isSafeInteger(value) && numberOk(schema, value as number) ? { value } : undefined
    default:
      return undefined
  }
}

function parseObject(schema: JsonSchema, value: unknown): Parsed | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const input = value as Record<string, unknown>
  const out: Record<string, unknown> = {}
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>
  const required = (schema.required ?? []) as string[]
  // The declared properties first, in the schema's order (zod's output order), absent ones by their default.
  for (const [key, property] of Object.entries(properties)) {
    const present = Object.hasOwn(input, key)
    if (!present && required.includes(key)) return undefined
    const parsed = parseBySchema(property, present ? input[key] : undefined)
    if (!parsed) return undefined
    if (parsed.value !== undefined) out[key] = parsed.value
  }
  const extra = Object.keys(input).filter((key) => !Object.hasOwn(properties, key))
  if (extra.length === 0) return { value: out }
  // A record (zod's z.record): every other key is checked by propertyNames and its value by
  // additionalProperties, in the input's order. `additionalProperties: false` (a strict object) refuses them.
  const valueSchema = schema.additionalProperties
  if (typeof valueSchema !== 'object' || valueSchema === null) return undefined
  const nameSchema = (schema.propertyNames ?? { type: 'string' }) as JsonSchema
  for (const key of extra) {
    const name = parseBySchema(nameSchema, key)
    const parsed = name && parseBySchema(valueSchema as JsonSchema, input[key])
    if (!parsed || parsed.value === undefined) return undefined
    out[key] = parsed.value
  }
  return { value: out }
}

function parseArray(schema: JsonSchema, value: unknown): Parsed | undefined {
  if (!Array.isArray(value)) return undefined
  if (typeof schema.minItems === 'number' && value.length < schema.minItems) return undefined
  const items = (schema.items ?? {}) as JsonSchema
  const out: unknown[] = []
  for (const item of value) {
    // An array's holes and undefined items do not come from JSON; zod decides anything unusual.
    const parsed = item === undefined ? undefined : parseBySchema(items, item)
    if (!parsed) return undefined
    out.push(parsed.value)
  }
  return { value: out }
}

function stringOk(schema: JsonSchema, value: string): boolean {
  if (typeof schema.minLength === 'number' && [...value].length < schema.minLength) return false
  if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value)) return false
  // zod writes its whole date-time check as the pattern (checked above).
  if (schema.format === undefined || (schema.format === 'date-time' && typeof schema.pattern === 'string'))
    return true
  return schema.format === 'uri' && value.trim() === value && !/[\t\n\r]/.test(value) && URL.canParse(value)
}

function numberOk(schema: JsonSchema, value: number): boolean {
  const { minimum, maximum, exclusiveMinimum } = schema
  if (typeof minimum === 'number' && value < minimum) return false
  if (typeof maximum === 'number' && value > maximum) return false
  if (typeof exclusiveMinimum === 'number' && value <= exclusiveMinimum) return false
  return true
}
