import { readFileSync, statSync } from 'node:fs'
import { usageError } from '../core/errors.js'
import { type AuditEvent, validateEvent } from './envelope.js'

/** The largest event line accepted, so one bad producer cannot bloat the ledger. */
const MAX_LINE_BYTES = 1024 * 1024

/** The largest `--input` batch: its bytes are held while it is checked, then sealed and written a line at a time. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024

/**
 * The bytes of an `--input` batch: a file, or a stream (stdin, read as a stream: readFileSync(0) fails
 * with EAGAIN on a large pipe). Past MAX_INPUT_BYTES it stops reading and says so, rather than running out
 * of memory (or, past V8's string limit, failing as if the input could not be read).
 */
export async function readInputBytes(source: string | NodeJS.ReadableStream, where: string): Promise<Buffer> {
  const tooLarge = () =>
    usageError(
      'AUDIT_INPUT_TOO_LARGE',
      `${where}: larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB, the largest batch audit sign takes`,
      'Split the events into several batches (e.g. split -l 100000) and sign each; nothing was appended.',
    )
  if (typeof source === 'string') {
    let stat: ReturnType<typeof statSync>
    try {
      stat = statSync(source)
    } catch (error) {
      throw usageError(
        'AUDIT_NO_INPUT',
        `cannot read ${where} (${(error as NodeJS.ErrnoException).code})`,
        'Give a readable JSONL file, or - to read stdin.',
      )
    }
    if (!stat.isFile())
      throw usageError('AUDIT_NO_INPUT', `${where} is not a file`, 'Give a JSONL file, or - to read stdin.')
    if (stat.size > MAX_INPUT_BYTES) throw tooLarge()
    return readFileSync(source)
  }
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    total += bytes.length
    if (total > MAX_INPUT_BYTES) throw tooLarge()
    chunks.push(bytes)
  }
  return Buffer.concat(chunks)
}

/**
 * Parses a JSONL stream of events (`goblin audit sign --input`). All or nothing: the first bad line
 * throws a usage error naming `where:line`, so a batch with a bad line appends nothing. Blank lines are
 * skipped. What is signed is exactly what was given: bytes that are not UTF-8 are refused rather than
 * replaced by U+FFFD, and so is a number that a JSON double cannot hold exactly (the canonical form of
 * `12345678901234567890` would be `12345678901234567000`: quote such a number as a string).
 */
export function parseEventStream(input: string | Uint8Array, where: string): AuditEvent[] {
  return [...readEventStream(typeof input === 'string' ? Buffer.from(input, 'utf8') : input, where).events()]
}

/**
 * The same checks over the whole batch first (all or nothing), then the events one at a time, parsed
 * again from the bytes: `audit sign --input` never holds the batch as objects, only its bytes.
 */
export function readEventStream(
  input: Uint8Array,
  where: string,
): { count: number; events: () => Generator<AuditEvent> } {
  let count = 0
  for (const _ of eventsOf(input, where)) count++
  if (count === 0) throw usageError('AUDIT_NO_EVENTS', `${where}: no events`, 'Give one JSON event per line.')
  return { count, events: () => eventsOf(input, where) }
}

function* eventsOf(bytes: Uint8Array, where: string): Generator<AuditEvent> {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  for (let start = 0, line = 1; start < bytes.length; line++) {
    const newline = bytes.indexOf(0x0a, start)
    const end = newline === -1 ? bytes.length : newline
    const at = `${where}:${line}`
    const raw = bytes.subarray(start, end)
    let text: string
    try {
      text = decoder.decode(raw)
    } catch {
      throw usageError(
        'AUDIT_NOT_UTF8',
        `${at}: not valid UTF-8 (near byte ${start + firstBadByte(raw)} of the input)`,
        'Events are UTF-8 JSON: re-encode the input (e.g. iconv -t UTF-8); nothing was appended.',
      )
    }
    start = end + 1
    const event = parseEventLine(text.endsWith('\r') ? text.slice(0, -1) : text, at)
    if (event) yield event
  }
}

/** One line's event, or null for a blank line; a usage error naming `at` when it is not a good event. */
function parseEventLine(line: string, at: string): AuditEvent | null {
  if (line.trim() === '') return null
  if (Buffer.byteLength(line) > MAX_LINE_BYTES)
    throw usageError(
      'AUDIT_BAD_EVENT',
      `${at}: the line is longer than 1 MiB`,
      'Keep large payloads out of the audit log; record a hash of them instead.',
    )
  let value: unknown
  try {
    value = MAY_LOSE_PRECISION.test(line) ? JSON.parse(line, refuseInexactNumbers) : JSON.parse(line)
  } catch (error) {
    if (error instanceof InexactNumber)
      throw usageError(
        'AUDIT_INEXACT_NUMBER',
        `${at}: the number ${error.source} cannot be signed exactly (a JSON double holds it as ${error.value})`,
        'Write the number as a string ("12345678901234567890") so the log keeps every digit; nothing was appended.',
      )
    throw usageError(
      'AUDIT_BAD_EVENT',
      `${at}: not valid JSON (${(error as Error).message})`,
      'Each line must be one JSON event; fix it and sign the batch again (nothing was appended).',
    )
  }
  return validateEvent(value, at)
}

/** Offset in `line` of the byte at which it stops being valid UTF-8, fed one byte at a time. */
function firstBadByte(line: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  for (let i = 0; i < line.length; i++) {
    try {
      decoder.decode(line.subarray(i, i + 1), { stream: true })
    } catch {
      return i
    }
  }
  return line.length
}

/**
 * A line where a number might not survive a double: 16 or more digits (one decimal point allowed among
 * them) or an exponent. Up to 15 significant digits always round-trip, so other lines take the fast path;
 * a string that looks like this only costs the slower, exact parse.
 */
const MAY_LOSE_PRECISION = /\d(?:\.?\d){15}|\d[eE]/

class InexactNumber extends Error {
  constructor(
    readonly source: string,
    readonly value: string,
  ) {
    super(`inexact number ${source}`)
  }
}

/** A JSON.parse reviver (with the source text, Node 22+) that throws on a number the double changed. */
function refuseInexactNumbers(this: unknown, _key: string, value: unknown, context?: { source?: string }) {
  if (
    typeof value === 'number' &&
    context?.source !== undefined &&
    !sameDecimal(context.source, String(value))
  )
    throw new InexactNumber(context.source, String(value))
  return value
}

/** True when two decimal numerals (JSON syntax or JS's own) denote the same number: `1.0` = `1`, `1e2` = `100`. */
export function sameDecimal(a: string, b: string): boolean {
  const x = decimalParts(a)
  const y = decimalParts(b)
  return x !== null && y !== null && x.sign === y.sign && x.digits === y.digits && x.exponent === y.exponent
}

/** sign, significant digits without leading or trailing zeros, and the power of ten of the last digit. */
function decimalParts(text: string): { sign: string; digits: string; exponent: number } | null {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text)
  if (!match) return null
  const whole = `${match[2]}${match[3] ?? ''}`
  let exponent = Number(match[4] ?? 0) - (match[3]?.length ?? 0)
  const trimmed = whole.replace(/^0+/, '')
  if (trimmed === '') return { sign: '', digits: '0', exponent: 0 }
  const digits = trimmed.replace(/0+$/, '')
  exponent += trimmed.length - digits.length
  return { sign: match[1] as string, digits, exponent }
}

/** Builds one event from `goblin audit sign` flags; `attrs` are `key=value` strings. */
export function eventFromFlags(flags: {
  goblin?: string
  action?: string
  decision?: string
  traceId?: string
  attr?: string[]
}): AuditEvent {
  const attrs: Record<string, string> = {}
  for (const pair of flags.attr ?? []) {
    const eq = pair.indexOf('=')
    if (eq <= 0)
      throw usageError(
        'AUDIT_BAD_ATTR',
        `--attr ${pair}: expected key=value`,
        'For example --attr model=gpt-4o.',
      )
    attrs[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  const missing = (['goblin', 'action', 'decision'] as const).filter((f) => !flags[f])
  if (missing.length > 0)
    throw usageError(
      'AUDIT_BAD_EVENT',
      `missing ${missing.map((f) => `--${f}`).join(', ')}`,
      'Give --goblin, --action and --decision, or --input FILE with JSON events.',
    )
  return validateEvent(
    {
      goblin_id: flags.goblin,
      action: flags.action,
      decision: flags.decision,
      trace_id: flags.traceId ?? null,
      ...(Object.keys(attrs).length > 0 ? { attrs } : {}),
    },
    'flags',
  )
}
