import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { keyringSchema } from '../../../src/audit/keyring.js'
import { projectConfigJsonSchema } from '../../../src/core/config-json-schema.js'
import { configSchemas } from '../../../src/core/config-schema.js'
import { lazyZod } from '../../../src/core/lazy-zod.js'
import { type JsonSchema, parseBySchema } from '../../../src/core/schema-parse.js'

// The JSON Schemas exactly as the build writes them into dist (scripts/write-json-schemas.js).
const asWritten = (schema: unknown) => JSON.parse(JSON.stringify(schema)) as JsonSchema
const jsonSchema = asWritten(projectConfigJsonSchema())
const zodSchema = configSchemas().projectConfigSchema
const keyringJsonSchema = asWritten(lazyZod().toJSONSchema(keyringSchema(), { io: 'input' }))

const junk = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.string({ maxLength: 4 }),
  fc.integer(),
  fc.constant([]),
  fc.constant({}),
)
/** Mostly `valid`, now and then `invalid`: enough of each that both sides of the comparison are reached. */
const mostly = (valid: fc.Arbitrary<unknown>, invalid: fc.Arbitrary<unknown>) =>
  fc.oneof({ arbitrary: valid, weight: 80 }, { arbitrary: invalid, weight: 1 })
const urls = mostly(
  fc.constantFrom(
    'https://a.pool.example',
    'http://127.0.0.1:4318/v1',
    'file:/tmp/x',
    'a:b',
    'http://[::1]:8545',
  ),
  fc.constantFrom('not a url', '', 'https://', '//x'),
)
const names = mostly(
  fc.constantFrom('grafana', 'otlp-http', 'tempo', 'a1'),
  fc.constantFrom('Bad_Name', '9x', '', '-x'),
)
const timestamps = mostly(
  fc.oneof(
    fc
      .date({ min: new Date(0), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString()),
    fc.constantFrom('2024-02-29T12:00:00Z', '2026-12-04T18:32:07Z', '2026-12-04T18:32:07.1234Z'),
  ),
  fc.constantFrom(
    '2026-02-29T00:00:00Z',
    '2026-01-01T00:00:00+01:00',
    '2026-01-01 00:00:00Z',
    '2026-13-01T00:00:00Z',
  ),
)
const strings = mostly(
  fc.oneof(fc.string({ minLength: 3, maxLength: 6 }), fc.constantFrom('😀xy', 'ab\ud800c')),
  fc.constantFrom('', 'a', '😀', '😀x'),
)

/** Numbers within a node's bounds, now and then one just outside them or of the wrong kind. */
function numbersFor(schema: JsonSchema): fc.Arbitrary<unknown> {
  const { minimum, maximum, exclusiveMinimum } = schema as Record<string, number | undefined>
  const low = minimum ?? (exclusiveMinimum === undefined ? -1000 : exclusiveMinimum + 1e-3)
  const high = Math.min(maximum ?? 100_000, 100_000)
  const valid =
    schema.type === 'integer'
      ? fc.integer({ min: Math.ceil(low), max: high })
      : fc.double({ min: low, max: high, noNaN: true })
  return mostly(valid, fc.constantFrom(0, -1, 0.5, 1.5, 65_536, 36_501, 1001, 2 ** 53, 2 ** 53 - 1, 1e300))
}

/**
 * Values for a schema node: mostly of its own shape and valid, sometimes near it (out of bounds, a bad
 * pattern or enum value, a missing or unknown key) or anything at all. No URL with surrounding whitespace:
 * zod strips that, and the parser leaves such a value to zod (its own test below).
 */
function valuesFor(schema: JsonSchema): fc.Arbitrary<unknown> {
  return mostly(shapedFor(schema), junk)
}

function shapedFor(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.enum)) return mostly(fc.constantFrom(...schema.enum), fc.constant('other'))
  if ('const' in schema) return mostly(fc.constant(schema.const), fc.constantFrom(2, '1'))
  if (Array.isArray(schema.anyOf)) return fc.oneof(...(schema.anyOf as JsonSchema[]).map(valuesFor))
  switch (schema.type) {
    case 'null':
      return fc.constant(null)
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>
      const declared = fc.record(
        Object.fromEntries(Object.entries(properties).map(([key, p]) => [key, valuesFor(p)])),
        { requiredKeys: [] },
      )
      const valueSchema = schema.additionalProperties
      const extra =
        typeof valueSchema === 'object' && valueSchema !== null
          ? fc.dictionary(names as fc.Arbitrary<string>, valuesFor(valueSchema as JsonSchema), { maxKeys: 3 })
          : mostly(fc.constant({}), fc.constant({ typo: 1 }))
      return fc.tuple(extra, declared).map(([a, b]) => ({ ...(a as object), ...b }))
    }
    case 'array':
      return fc.array(valuesFor((schema.items ?? {}) as JsonSchema), { maxLength: 3 })
    case 'string':
      if (schema.format === 'uri') return urls
      if (schema.format === 'date-time') return timestamps
      return typeof schema.pattern === 'string' ? names : strings
    case 'number':
    case 'integer':
      return numbersFor(schema)
    default:
      return junk
  }
}

/** parseBySchema and zod agree on every generated value: accepted alike (equal, key order included) or refused alike. */
function agreesWithZod(
  schema: JsonSchema,
  zod: { safeParse(value: unknown): { success: boolean; data?: unknown } },
) {
  let accepted = 0
  let refused = 0
  fc.assert(
    fc.property(valuesFor(schema), (value) => {
      const fast = parseBySchema(schema, value)
      const parsed = zod.safeParse(value)
      expect(fast !== undefined).toBe(parsed.success)
      if (!fast || !parsed.success) {
        refused++
        return
      }
      accepted++
      expect(fast.value).toStrictEqual(parsed.data)
      expect(JSON.stringify(fast.value)).toBe(JSON.stringify(parsed.data))
    }),
    { numRuns: 2000 },
  )
  return { accepted, refused }
}

describe('parseBySchema over the config JSON Schema', () => {
  it('gives what zod gives, key order included, and gives up exactly where zod refuses', () => {
    const { accepted, refused } = agreesWithZod(jsonSchema, zodSchema)
    // Both sides of the comparison were reached.
    expect(accepted).toBeGreaterThan(200)
    expect(refused).toBeGreaterThan(200)
  })

  it('fills every default for an empty config, as zod does', () => {
    expect(parseBySchema(jsonSchema, {})?.value).toStrictEqual(zodSchema.parse({}))
  })

  it('copies the defaults, so a parsed config changed by its caller leaves the next one alone', () => {
    const first = parseBySchema(jsonSchema, {})?.value as { audit: { witnesses: unknown[] } }
    first.audit.witnesses.push('changed')
    expect(parseBySchema(jsonSchema, {})?.value).toStrictEqual(zodSchema.parse({}))
  })

  it('leaves a URL with surrounding whitespace to zod, which strips it', () => {
    const value = { trace: { endpoint: ' http://127.0.0.1:3200\n' } }
    expect(parseBySchema(jsonSchema, value)).toBeUndefined()
    expect(zodSchema.parse(value).trace.endpoint).toBe('http://127.0.0.1:3200')
  })

  it('gives up on a keyword it does not check rather than let it pass', () => {
    expect(parseBySchema({ type: 'string', maxLength: 2 }, 'abc')).toBeUndefined()
    expect(parseBySchema({ oneOf: [{ type: 'string' }] }, 'a')).toBeUndefined()
    expect(parseBySchema({ type: 'string', format: 'date-time' }, '2026-12-04T00:00:00Z')).toBeUndefined()
    expect(parseBySchema({ type: 'string', format: 'email' }, 'a@b.c')).toBeUndefined()
  })

  it('counts a string length in code points and reads an integer as a safe integer, as zod does', () => {
    expect(parseBySchema({ type: 'string', minLength: 2 }, '😀')).toBeUndefined()
    expect(zodSchema.safeParse({ anchor: { s3: { bucket: '😀xy' } } }).success).toBe(true)
    expect(zodSchema.safeParse({ anchor: { s3: { bucket: '😀x' } } }).success).toBe(false)
    expect(parseBySchema({ type: 'integer' }, 2 ** 53)).toBeUndefined()
  })
})

/**
 * What the JSON Schema cannot show — a refinement, a transform, a URL's protocol or hostname rule — would let
 * the parser accept what zod refuses. Every node of the zod schema must be one whose rules the JSON Schema
 * carries in full; a new kind fails here until src/core/schema-parse.ts is taught it.
 */
describe('parseBySchema over the keyring JSON Schema', () => {
  it('gives what zod gives and gives up exactly where zod refuses, timestamps and nulls included', () => {
    const { accepted, refused } = agreesWithZod(keyringJsonSchema, keyringSchema())
    expect(accepted).toBeGreaterThan(200)
    expect(refused).toBeGreaterThan(200)
  })
})

describe('the zod schemas read by their JSON Schema', () => {
  type ZodNode = { _zod: { def: Record<string, unknown> & { type: string; checks?: ZodNode[] } } }
  const KNOWN_TYPES = new Set([
    ...[
      'object',
      'string',
      'number',
      'enum',
      'array',
      'record',
      'optional',
      'default',
      'nullable',
      'literal',
    ],
  ])
  // A date-time's whole check is its regex, which the JSON Schema carries as `pattern`.
  const FORMATS = ['url', 'regex', 'datetime']
  const KNOWN_CHECKS = new Set(['min_length', 'greater_than', 'less_than', 'number_format', 'string_format'])

  function unknownParts(node: ZodNode, path: string): string[] {
    const def = node._zod.def
    const found: string[] = []
    if (!KNOWN_TYPES.has(def.type)) found.push(`${path}: type ${def.type}`)
    if (def.type === 'string' && def.format !== undefined && !FORMATS.includes(String(def.format)))
      found.push(`${path}: string format ${String(def.format)}`)
    for (const key of ['hostname', 'protocol', 'normalize']) if (key in def) found.push(`${path}: url ${key}`)
    for (const check of def.checks ?? []) {
      const c = check._zod.def
      if (!KNOWN_CHECKS.has(String(c.check))) found.push(`${path}: check ${String(c.check)}`)
      if (c.check === 'number_format' && c.format !== 'safeint')
        found.push(`${path}: number ${String(c.format)}`)
      if (c.check === 'string_format' && !FORMATS.includes(String(c.format)))
        found.push(`${path}: string format ${String(c.format)}`)
    }
    const children: [string, ZodNode][] = []
    if (def.type === 'object') children.push(...Object.entries(def.shape as Record<string, ZodNode>))
    if (def.type === 'array') children.push(['[]', def.element as ZodNode])
    if (def.type === 'record')
      children.push(['{key}', def.keyType as ZodNode], ['{}', def.valueType as ZodNode])
    if (['optional', 'default', 'nullable'].includes(def.type)) children.push(['', def.innerType as ZodNode])
    for (const [key, child] of children) found.push(...unknownParts(child, key ? `${path}.${key}` : path))
    return found
  }

  it('have only parts the JSON Schema carries in full', () => {
    expect(unknownParts(zodSchema as unknown as ZodNode, 'config')).toEqual([])
    expect(unknownParts(keyringSchema() as unknown as ZodNode, 'keyring')).toEqual([])
  })

  it('the guard above can fail: it names a refinement', () => {
    const refined = configSchemas().budgetSchema.refine((b) => b.usd < 100)
    expect(unknownParts(refined as unknown as ZodNode, 'budget')).toContain('budget: check custom')
  })
})
