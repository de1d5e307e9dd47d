import * as Flags from '@oclif/core/flags'
import { type DurationLimits, parseDuration } from '../core/duration.js'

/** Flags several commands share, defined once: each parses and validates itself (oclif `Flags.custom`). */

/** `--ledger`: the audit ledger directory, for every `goblin audit` command that reads or writes the log. */
export const ledgerFlag = Flags.string({
  description: 'ledger directory (default: audit.ledger in goblin.config.json, else GOBLIN_HOME/audit)',
})

/** A duration flag's value: what the user wrote, and its milliseconds. */
export interface DurationValue {
  text: string
  ms: number
}

/**
 * A flag that takes a duration in goblin's one grammar (src/core/duration.ts: 250ms, 1h30m, 7d), within
 * `limits`; a bad value is BAD_DURATION or DURATION_OUT_OF_RANGE (exit 2) naming the flag.
 */
export function durationFlag(options: { description: string; limits?: DurationLimits }) {
  return Flags.custom<DurationValue>({
    description: options.description,
    helpValue: '<duration>',
    parse: async (text, _context, flag) => ({
      text,
      ms: parseDuration(text, `--${flag.name}`, options.limits),
    }),
  })()
}

/** Where an input comes from: a file, or stdin when the user wrote `-`. */
export interface InputSource {
  /** The file's path, or null for stdin. */
  path: string | null
  /** How messages name it: the path, or `stdin`. */
  name: string
}

/** A flag that takes a file or `-` for stdin. */
export function fileOrStdinFlag(options: { description: string; exclusive?: string[] }) {
  return Flags.custom<InputSource>({
    description: options.description,
    helpValue: '<file|->',
    exclusive: options.exclusive,
    parse: async (text) => inputSource(text),
  })()
}

/** `-` is stdin; anything else a file path. */
export function inputSource(text: string): InputSource {
  return text === '-' ? { path: null, name: 'stdin' } : { path: text, name: text }
}
