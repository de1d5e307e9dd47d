import { usageError } from '../core/errors.js'

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }

/**
 * A point in time from a flag: a duration back from `now` (`90m`, `24h`, `7d`, `2w`), a UTC date
 * (`2026-11-01` = its midnight UTC) or an RFC 3339 time (`2026-11-01T12:00:00Z`, offsets allowed).
 */
export function parseTimeFlag(value: string, flag: string, now: Date): Date {
  const text = value.trim()
  const duration = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text)
  if (duration)
    return new Date(now.getTime() - Number(duration[1]) * (UNIT_MS[duration[2] as string] as number))
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const date = new Date(`${text}T00:00:00Z`)
    if (!Number.isNaN(date.getTime()) && date.toISOString().startsWith(text)) return date
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) {
    const date = new Date(text)
    if (!Number.isNaN(date.getTime())) return date
  }
  throw usageError(
    'COST_BAD_TIME',
    `--${flag} ${JSON.stringify(value)}: not a duration (24h, 7d), a date (2026-11-01) or an RFC 3339 time`,
    'Durations count back from now; dates are UTC midnight; times need a Z or an offset.',
  )
}

/** Unix nanoseconds of a Date. */
export function toUnixNano(date: Date): bigint {
  return BigInt(date.getTime()) * 1_000_000n
}
