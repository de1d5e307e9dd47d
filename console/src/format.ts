// The CLI's own formatters, so the page prints figures exactly as `goblin cost report` and `trace show` do.
export { formatCount, formatDuration, formatUsd } from '../../src/ui/format.js'

/** A Unix-nanosecond decimal string as local date and time. */
export function formatTime(unixNano: string): string {
  return new Date(Number(BigInt(unixNano) / 1_000_000n)).toLocaleString()
}
