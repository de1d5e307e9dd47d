import { usageError } from '../core/errors.js'

/** A JSON value as JCS sees it: only what JSON can carry. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/**
 * RFC 8785 (JCS) canonical JSON of `value`. ECMAScript's own number and string serialisation are exactly
 * what JCS specifies (RFC 8785 §3.2.2), so JSON.stringify serves for the leaves; object keys are sorted by
 * UTF-16 code units, which is JavaScript's default string order.
 * Throws on what JSON cannot carry (NaN, Infinity, undefined, functions, lone surrogates).
 */
export function canonicalJson(value: unknown): string {
  // Fast path: when every object's keys already come in canonical order (as in any line goblin wrote,
  // or an object built in that order), the native JSON.stringify writes exactly the canonical form.
  // It escapes a lone surrogate as \udXXX where JCS must refuse it: such output takes the slow path.
  if (isCanonicallyOrdered(value)) {
    const text = JSON.stringify(value)
    if (!LONE_SURROGATE_ESCAPE.test(text)) return text
  }
  return serialize(value)
}

const LONE_SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/

/** True when `value` is plain JSON (no undefined, finite numbers) with every object's keys sorted. */
function isCanonicallyOrdered(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
      return true
    case 'number':
      return Number.isFinite(value)
    case 'boolean':
      return true
    case 'object': {
      if (value === null) return true
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isCanonicallyOrdered(value[i])) return false
        return true
      }
      const proto = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) return false
      const record = value as Record<string, unknown>
      let previous: string | undefined
      for (const key of Object.keys(record)) {
        if (previous !== undefined && !(previous < key)) return false
        if (!isCanonicallyOrdered(record[key])) return false
        previous = key
      }
      return true
    }
    default:
      return false
  }
}

function serialize(value: unknown): string {
  switch (typeof value) {
    case 'string':
      if (!isWellFormed(value)) throw notJson('a string with a lone UTF-16 surrogate')
      return JSON.stringify(value)
    case 'number':
      if (!Number.isFinite(value)) throw notJson(String(value))
      return JSON.stringify(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object': {
      if (value === null) return 'null'
      if (Array.isArray(value)) return `[${Array.from(value, serialize).join(',')}]`
      const record = value as Record<string, unknown>
      const keys = Object.keys(record).sort()
      let out = '{'
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string
        if (!isWellFormed(key)) throw notJson('a key with a lone UTF-16 surrogate')
        out += `${i === 0 ? '' : ','}${JSON.stringify(key)}:${serialize(record[key])}`
      }
      return `${out}}`
    }
    default:
      throw notJson(typeof value)
  }
}

/** A copy of `value` whose objects list their keys in canonical (UTF-16) order, where JS allows it. */
export function inCanonicalOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(inCanonicalOrder)
  if (typeof value !== 'object' || value === null) return value
  const record = value as Record<string, unknown>
  // A null prototype keeps a "__proto__" key an ordinary own property, as JSON.parse made it.
  const sorted: Record<string, unknown> = Object.create(null)
  for (const key of Object.keys(record).sort()) sorted[key] = inCanonicalOrder(record[key])
  return sorted
}

/** UTF-8 bytes of the canonical JSON of `value`: what goblin signs and hashes. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8')
}

/** ES2024 String.prototype.isWellFormed (Node 20+), typed here because the project targets ES2023. */
function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed()
}

function notJson(what: string) {
  return usageError('JSON_NOT_CANONICALIZABLE', `cannot write ${what} as canonical JSON (RFC 8785)`)
}
