import type { CedarValueJson } from '@cedar-policy/cedar-wasm/nodejs'
import { usageError } from '../core/errors.js'

/**
 * JSON as Cedar values. The JSON comes from callers and, in a tool's input, from a model: Cedar's JSON
 * form gives `__entity` and `__extn` records a meaning (an entity reference, an extension value), so a
 * record with such a key is refused rather than read as one, and nothing in an input can pose as an
 * entity. Cedar has no null (a null member is left out) and no fractions: a fractional number becomes a
 * `decimal` (four places, as Cedar's decimal holds).
 */
export function toCedarValue(value: unknown, where: string): CedarValueJson {
  if (typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') return cedarNumber(value, where)
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => (v === null ? [] : [toCedarValue(v, `${where}[${i}]`)]))
  }
  if (typeof value === 'object' && value !== null)
    return toCedarRecord(value as Record<string, unknown>, where)
  throw bad(where, `${value === null ? 'null' : typeof value} has no Cedar value`)
}

/** A JSON object as a Cedar record (see toCedarValue). */
export function toCedarRecord(
  value: Record<string, unknown>,
  where: string,
): { [key: string]: CedarValueJson } {
  const record: { [key: string]: CedarValueJson } = {}
  for (const [key, member] of Object.entries(value)) {
    if (key === '__entity' || key === '__extn' || key === '__expr')
      throw bad(`${where}.${key}`, `"${key}" is reserved by Cedar's JSON format`)
    if (member !== null && member !== undefined) record[key] = toCedarValue(member, `${where}.${key}`)
  }
  return record
}

/** USD and other fractions as Cedar `decimal` (at most four places). */
export function cedarDecimal(value: number): CedarValueJson {
  return { __extn: { fn: 'decimal', arg: value.toFixed(4) } }
}

export function cedarDatetime(at: Date): CedarValueJson {
  return { __extn: { fn: 'datetime', arg: at.toISOString() } }
}

/** Cedar's decimal reaches 922,337,203,685,477.5807. */
const DECIMAL_LIMIT = 9e14

function cedarNumber(value: number, where: string): CedarValueJson {
  if (Number.isSafeInteger(value)) return value
  if (Number.isFinite(value) && Math.abs(value) < DECIMAL_LIMIT) return cedarDecimal(value)
  throw bad(where, `${value} is out of Cedar's range (integers to 2^53, decimals to 9e14)`)
}

function bad(where: string, why: string) {
  return usageError(
    'POLICY_BAD_CONTEXT',
    `${where}: ${why}`,
    'The context is a JSON object of strings, numbers, booleans, lists and objects.',
  )
}
