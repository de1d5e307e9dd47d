import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { usageError } from '../core/errors.js'
import { PRIVATE_FILE_MODE } from '../core/private-state.js'
import { writeAll } from './durable-file.js'
import { type AuditEvent, validateEvent } from './envelope.js'

/** The largest event line accepted, so one bad producer cannot bloat the ledger. */
const MAX_LINE_BYTES = 1024 * 1024

/** The largest `--input` batch (read twice, never held: it bounds `--json`'s entries and stdin's spooled copy). */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024

/** Bytes of the input read at a time, into one buffer reused from read to read. */
const READ_CHUNK_BYTES = 256 * 1024

/** An `--input` batch whose every line has been checked: its events, read again one line at a time. */
export interface EventInput {
  /** The events in input order, parsed again from the file (each line checked again as it is read). */
  events: () => Generator<AuditEvent>
  /** Closes the file (stdin's copy, already unlinked, goes with it). */
  close: () => void
}

/**
 * Opens an `--input` batch, a file or a stream (stdin), and checks all of it before anything is signed:
 * all or nothing, the first bad line throws a usage error naming `where:line`. Nothing of the input is
 * held: a file is read twice, a chunk at a time (the check, then the signing); a stream is checked as it
 * is copied to a private temp file, unlinked as soon as it is open (no exit leaves it behind), which the
 * signing then reads. Past MAX_INPUT_BYTES it stops reading and says so.
 */
export async function openEventInput(
  source: string | NodeJS.ReadableStream,
  where: string,
): Promise<EventInput> {
  const { fd, size } =
    typeof source === 'string' ? checkFile(source, where) : await spoolStream(source, where)
  // Only the bytes checked are signed: lines a writer adds to the file meanwhile are not part of the batch.
  return { events: () => eventsOf(linesOf(chunksOf(fd, size)), where), close: () => closeSync(fd) }
}

function checkFile(path: string, where: string): { fd: number; size: number } {
  const { fd, size } = openInputFile(path, where)
  try {
    checkEvents(eventsOf(linesOf(chunksOf(fd, size)), where), where)
    return { fd, size }
  } catch (error) {
    closeSync(fd)
    throw error
  }
}

/** Runs every check over `events` (throwing at the first bad line) and refuses a batch without any. */
function checkEvents(events: Iterable<AuditEvent>, where: string, before = 0): void {
  let count = before
  for (const _ of events) count++
  if (count === 0) throw usageError('AUDIT_NO_EVENTS', `${where}: no events`, 'Give one JSON event per line.')
}

function inputTooLarge(where: string) {
  return usageError(
    'AUDIT_INPUT_TOO_LARGE',
    `${where}: larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB, the largest batch audit sign takes`,
    'Split the events into several batches (e.g. split -l 100000) and sign each; nothing was appended.',
  )
}

/** The temp directory could not hold the copy of a stream: nothing was appended. */
function spoolError(where: string, error: unknown) {
  return usageError(
    'AUDIT_INPUT_SPOOL',
    `cannot copy ${where} to the temp directory ${tmpdir()} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    'Point TMPDIR at a writable directory with room for the batch, or give the events as a file; nothing was appended.',
    error,
  )
}

function openInputFile(path: string, where: string): { fd: number; size: number } {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (error) {
    throw usageError(
      'AUDIT_NO_INPUT',
      `cannot read ${where} (${(error as NodeJS.ErrnoException).code})`,
      'Give a readable JSONL file, or - to read stdin.',
    )
  }
  const stat = fstatSync(fd)
  const refusal = !stat.isFile()
    ? usageError('AUDIT_NO_INPUT', `${where} is not a file`, 'Give a JSONL file, or - to read stdin.')
    : stat.size > MAX_INPUT_BYTES
      ? inputTooLarge(where)
      : null
  if (refusal) {
    closeSync(fd)
    throw refusal
  }
  return { fd, size: stat.size }
}

/**
 * Checks a stream (stdin: read as a stream, since fd 0 is non-blocking by then and a read of it fails
 * with EAGAIN) while copying it to a new private file in the temp directory, unlinked at once: it lives
 * as long as its descriptor. Checking each chunk as it comes keeps V8 collecting, so the chunks the
 * stream allocated are freed as it goes rather than all at the end.
 */
async function spoolStream(
  source: NodeJS.ReadableStream,
  where: string,
): Promise<{ fd: number; size: number }> {
  let fd: number
  try {
    const dir = mkdtempSync(join(tmpdir(), 'goblin-sign-'))
    try {
      fd = openSync(join(dir, 'input.jsonl'), 'wx+', PRIVATE_FILE_MODE)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  } catch (error) {
    throw spoolError(where, error)
  }
  try {
    const lines = new LineSplitter()
    let size = 0
    let count = 0
    for await (const chunk of source) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
      size += bytes.length
      if (size > MAX_INPUT_BYTES) throw inputTooLarge(where)
      try {
        writeAll(fd, bytes)
      } catch (error) {
        throw spoolError(where, error)
      }
      for (const _ of eventsOf(lines.push(bytes), where)) count++
    }
    checkEvents(eventsOf(lines.end(), where), where, count)
    return { fd, size }
  } catch (error) {
    closeSync(fd)
    throw error
  }
}

/** The first `size` bytes of the file open at `fd`, a chunk at a time, each in the same reused buffer. */
function* chunksOf(fd: number, size: number): Generator<Buffer> {
  const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, size))
  for (let position = 0; position < size; ) {
    const n = readSync(fd, buffer, 0, Math.min(buffer.length, size - position), position)
    // A file cut short since it was checked: the lines read are checked again as they are parsed.
    if (n === 0) return
    position += n
    yield buffer.subarray(0, n)
  }
}

/**
 * Parses a JSONL stream of events (`goblin audit sign --input`). All or nothing: the first bad line
 * throws a usage error naming `where:line`, so a batch with a bad line appends nothing. Blank lines are
 * skipped. What is signed is exactly what was given: bytes that are not UTF-8 are refused rather than
 * replaced by U+FFFD, and so is a number that a JSON double cannot hold exactly (the canonical form of
 * `12345678901234567890` would be `12345678901234567000`: quote such a number as a string).
 */
export function parseEventStream(input: string | Uint8Array, where: string): AuditEvent[] {
  const bytes =
    typeof input === 'string'
      ? Buffer.from(input, 'utf8')
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength)
  const events = [...eventsOf(linesOf([bytes]), where)]
  checkEvents(events, where)
  return events
}

/** One line of the input: its bytes (without the newline), its 1-based number and its offset in the input. */
interface InputLine {
  bytes: Buffer
  line: number
  offset: number
}

/** The lines of an input given in chunks. */
function* linesOf(chunks: Iterable<Buffer>): Generator<InputLine> {
  const lines = new LineSplitter()
  for (const chunk of chunks) yield* lines.push(chunk)
  yield* lines.end()
}

/**
 * Splits an input pushed a chunk at a time into lines. A chunk's buffer may be reused once the lines of
 * the next are asked for, so the start of a line a chunk leaves unfinished is copied; a line is held
 * whole only while it is parsed.
 */
class LineSplitter {
  private unfinished: Buffer[] = []
  private line = 1
  private offset = 0;

  /** The lines `chunk` completes. */
  *push(chunk: Buffer): Generator<InputLine> {
    let start = 0
    for (let newline = chunk.indexOf(NEWLINE); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      const tail = chunk.subarray(start, newline)
      const bytes = this.unfinished.length === 0 ? tail : Buffer.concat([...this.unfinished, tail])
      this.unfinished = []
      yield { bytes, line: this.line, offset: this.offset }
      this.line++
      this.offset += bytes.length + 1
      start = newline + 1
    }
    if (start < chunk.length) this.unfinished.push(Buffer.from(chunk.subarray(start)))
  }

  /** The last line, when the input does not end with a newline. */
  *end(): Generator<InputLine> {
    if (this.unfinished.length > 0)
      yield { bytes: Buffer.concat(this.unfinished), line: this.line, offset: this.offset }
  }
}

const NEWLINE = 0x0a

function* eventsOf(lines: Iterable<InputLine>, where: string): Generator<AuditEvent> {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  for (const { bytes, line, offset } of lines) {
    // Named only when refused: a label per line would convert each line number to text, and V8's
    // number-string cache keeps such strings past a young-generation collection (see refuseInexactNumbers).
    const at = () => `${where}:${line}`
    let text: string
    try {
      text = decoder.decode(bytes)
    } catch {
      throw usageError(
        'AUDIT_NOT_UTF8',
        `${at()}: not valid UTF-8 (near byte ${offset + firstBadByte(bytes)} of the input)`,
        'Events are UTF-8 JSON: re-encode the input (e.g. iconv -t UTF-8); nothing was appended.',
      )
    }
    const event = parseEventLine(text.endsWith('\r') ? text.slice(0, -1) : text, at)
    if (event) yield event
  }
}

/** One line's event, or null for a blank line; a usage error naming `at()` when it is not a good event. */
function parseEventLine(line: string, at: () => string): AuditEvent | null {
  if (line.trim() === '') return null
  if (Buffer.byteLength(line) > MAX_LINE_BYTES)
    throw usageError(
      'AUDIT_BAD_EVENT',
      `${at()}: the line is longer than 1 MiB`,
      'Keep large payloads out of the audit log; record a hash of them instead.',
    )
  let value: unknown
  try {
    value = MAY_LOSE_PRECISION.test(line) ? JSON.parse(line, refuseInexactNumbers) : JSON.parse(line)
  } catch (error) {
    if (error instanceof InexactNumber)
      throw usageError(
        'AUDIT_INEXACT_NUMBER',
        `${at()}: the number ${error.source} cannot be signed exactly (a JSON double holds it as ${error.value})`,
        'Write the number as a string ("12345678901234567890") so the log keeps every digit; nothing was appended.',
      )
    throw usageError(
      'AUDIT_BAD_EVENT',
      `${at()}: not valid JSON (${(error as Error).message})`,
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

/**
 * A JSON.parse reviver (with the source text, Node 22+) that throws on a number the double changed. A
 * number short enough to round-trip is not converted back to text: String(n) goes through V8's
 * number-string cache, whose entries outlive a young-generation collection, and so many of them (one
 * per event with a step counter) make V8 grow its young generation and the process's memory.
 */
function refuseInexactNumbers(this: unknown, _key: string, value: unknown, context?: { source?: string }) {
  if (
    typeof value === 'number' &&
    context?.source !== undefined &&
    MAY_LOSE_PRECISION.test(context.source) &&
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
