import { isDuration, parseDuration } from './duration.js'
import { usageError } from './errors.js'

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})$/
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const UNIX_SECONDS = /^\d{9,11}$/

/**
 * A point in time from a flag such as `--since` or `--until`, in one grammar for every command: a duration
 * back from `now` (see parseDuration: `90s`, `1h30m`, `7d`), a UTC date (`2026-11-01`, its midnight UTC), an
 * RFC 3339 time with a zone (`2026-11-01T12:00:00Z`, `…+02:00`), or Unix seconds (`1767323045`).
 */
export function parseTimePoint(text: string, flag: string, now: Date = new Date()): Date {
  const value = text.trim()
  if (isDuration(value)) return new Date(now.getTime() - parseDuration(value, flag))
  if (UNIX_SECONDS.test(value)) return new Date(Number(value) * 1000)
  if (DATE_ONLY.test(value)) {
    const date = new Date(`${value}T00:00:00Z`)
    if (!Number.isNaN(date.getTime()) && date.toISOString().startsWith(value)) return date
  } else if (RFC3339.test(value)) {
    const date = new Date(value)
    if (!Number.isNaN(date.getTime())) return date
  }
  throw usageError(
    'BAD_TIME',
    `${flag} ${JSON.stringify(text)}: not a duration (15m, 24h, 7d), a date (2026-11-01), an RFC 3339 time or Unix seconds`,
    'Durations count back from now; dates are UTC midnight; times need a Z or an offset (2026-11-01T12:00:00Z).',
  )
}
