import { usageError } from '../core/errors.js'

/**
 * A trace id as 32 lowercase hex. Accepts either case and Tempo's short form (leading zeros dropped),
 * since producers and UIs differ; anything else is a usage error.
 */
export function normalizeTraceId(id: string): string {
  const trimmed = id.trim()
  if (!/^[0-9a-fA-F]{1,32}$/.test(trimmed) || /^0+$/.test(trimmed)) {
    throw usageError(
      'BAD_TRACE_ID',
      `"${id}" is not a trace id`,
      'A trace id is up to 32 hex digits, e.g. from goblin trace list.',
    )
  }
  return trimmed.toLowerCase().padStart(32, '0')
}
