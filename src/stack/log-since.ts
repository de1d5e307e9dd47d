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
