import { usageError } from './errors.js'

/**
 * The one duration grammar every flag, setting and query parameter uses: one or more `<number><unit>`
 * parts with no spaces, as Go writes them (`250ms`, `1.5s`, `1h30m`), plus days and weeks (`7d`, `2w`).
 * Units: ns, us (or µs), ms, s, m, h, d, w. A bare number is refused: `30` could mean seconds or minutes.
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
}

const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w)/y

/** The longest duration goblin takes anywhere, unless a caller sets a lower limit: 100 years. */
export const MAX_DURATION_MS = 36_500 * 86_400_000

export interface DurationLimits {
  /** Shortest accepted (ms); default 0. */
  minMs?: number
  /** Longest accepted (ms); default MAX_DURATION_MS. */
  maxMs?: number
}

/**
 * Parses a duration into milliseconds. `what` names the flag or field in errors (`--every`); a value outside
 * the limits is refused with both limits written in the same grammar, so the user can copy one.
 */
export function parseDuration(text: string, what: string, limits: DurationLimits = {}): number {
  const ms = readDuration(text.trim())
  if (ms === null)
    throw usageError(
      'BAD_DURATION',
      `${what} ${JSON.stringify(text)}: not a duration`,
      'Write a number and a unit, e.g. 250ms, 30s, 15m, 1h30m, 7d or 2w.',
    )
  const min = limits.minMs ?? 0
  const max = Math.min(limits.maxMs ?? MAX_DURATION_MS, MAX_DURATION_MS)
  if (ms < min || ms > max)
    throw usageError(
      'DURATION_OUT_OF_RANGE',
      `${what} ${JSON.stringify(text)}: ${ms < min ? `shorter than ${formatDuration(min)}` : `longer than ${formatDuration(max)}`}`,
      `Give ${what} a duration from ${formatDuration(min)} to ${formatDuration(max)}.`,
    )
  return ms
}

/** True when `text` is written in the duration grammar (whatever its size). */
export function isDuration(text: string): boolean {
  return readDuration(text.trim()) !== null
}

/** The milliseconds of a duration in the grammar, or null when `text` is not one. */
function readDuration(text: string): number | null {
  if (text === '') return null
  PART.lastIndex = 0
  let total = 0
  while (PART.lastIndex < text.length) {
    const match = PART.exec(text)
    if (!match) return null
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number)
  }
  // A number too large for a double is Infinity: refused by the limits as too long, not as unreadable.
  return total
}

/** Writes milliseconds in the grammar, largest units first (`1d2h`, `1500ms` as `1s500ms`, `0s`). */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s'
  let rest = Math.round(ms)
  if (rest === 0) return `${Math.round(ms * 1000)}us`
  const parts: string[] = []
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit] as number
    const n = Math.floor(rest / size)
    if (n > 0) parts.push(`${n}${unit}`)
    rest -= n * size
  }
  return parts.join('')
}
