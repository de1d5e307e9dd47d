import { usageError } from '../core/errors.js'

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * Parses `--since`: a duration back from `now` (`90s`, `10m`, `1h30m`, `2d`), an RFC 3339 time
 * (`2026-01-02T03:04:05Z`), or Unix seconds. Throws an exit-2 error naming the value otherwise.
 */
export function parseSince(text: string, now: Date = new Date()): Date {
  const value = text.trim()
  if (/^(\d+(ms|s|m|h|d))+$/.test(value)) {
    let ms = 0
    for (const [, amount, unit] of value.matchAll(/(\d+)(ms|s|m|h|d)/g))
      ms += Number(amount) * (UNIT_MS[unit ?? 's'] ?? 0)
    return new Date(now.getTime() - ms)
  }
  if (/^\d{9,11}$/.test(value)) return new Date(Number(value) * 1000)
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    const date = new Date(value)
    if (!Number.isNaN(date.getTime())) return date
  }
  throw usageError(
    'SINCE_INVALID',
    `--since ${text}: not a duration (10m, 1h30m), an RFC 3339 time or Unix seconds`,
    'Pass e.g. --since 15m or --since 2026-01-02T03:04:05Z.',
  )
}

const LEADING_TIME = /^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)/
const JSON_TIME = /"(?:time|ts|timestamp)"\s*:\s*"([^"]+)"/

/** The time a log line carries at its start (`2026-...Z ...`) or in a JSON `time`/`ts`/`timestamp` field. */
export function lineTime(line: string): Date | null {
  const match = LEADING_TIME.exec(line) ?? (line.startsWith('{') ? JSON_TIME.exec(line) : null)
  if (!match?.[1]) return null
  const date = new Date(match[1])
  return Number.isNaN(date.getTime()) ? null : date
}

/**
 * Keeps the lines written at or after `since`. A line without a time of its own belongs to the last line
 * before it that had one (a stack trace belongs to its error line); lines before any time are dropped.
 */
export function linesSince(lines: string[], since: Date): string[] {
  const kept: string[] = []
  let current: Date | null = null
  for (const line of lines) {
    current = lineTime(line) ?? current
    if (current && current.getTime() >= since.getTime()) kept.push(line)
  }
  return kept
}
