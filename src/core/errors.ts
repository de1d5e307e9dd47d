import { redactSecrets } from './redact.js'

/** Process exit codes shared by every goblin command (see ARCHITECTURE.md, "Conventions"). */
export const ExitCode = {
  ok: 0,
  /** The thing checked is not OK: verification failed, budget exceeded, a doctor check failed. */
  notOk: 1,
  /** Usage or bad input: unknown flag, malformed file, unknown key. */
  usage: 2,
  /** A dependency is unreachable: no Docker engine, collector down, RPC or S3 endpoint unreachable. */
  unreachable: 3,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

export interface GoblinErrorOptions {
  /** What the user should do next, in one sentence. */
  hint?: string
  exit?: ExitCodeValue
  cause?: unknown
}

/**
 * The one error type `src/` throws. `code` is a stable machine-readable identifier
 * (e.g. `CONFIG_INVALID`), `message` says what went wrong in the user's terms and where.
 */
export class GoblinError extends Error {
  readonly code: string
  readonly hint?: string
  readonly exit: ExitCodeValue

  constructor(code: string, message: string, options: GoblinErrorOptions = {}) {
    // Messages and hints quote what the user gave (a flag value, a URL): the one place every echo passes
    // is here, so a private key or a URL's credentials never reach the terminal, a log or --json.
    super(redactSecrets(message), options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'GoblinError'
    this.code = code
    this.hint = options.hint === undefined ? undefined : redactSecrets(options.hint)
    this.exit = options.exit ?? ExitCode.usage
  }

  /** The stable JSON form used by `--json` output. Never contains secrets: the constructor redacts them. */
  toJSON(): { code: string; message: string; hint?: string; exit: number } {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      exit: this.exit,
    }
  }
}

/** A bad-input error (exit 2). */
export function usageError(code: string, message: string, hint?: string): GoblinError {
  return new GoblinError(code, message, { hint, exit: ExitCode.usage })
}

/** A dependency-unreachable error (exit 3). */
export function unreachableError(code: string, message: string, hint?: string, cause?: unknown): GoblinError {
  return new GoblinError(code, message, { hint, exit: ExitCode.unreachable, cause })
}

export function isGoblinError(error: unknown): error is GoblinError {
  return error instanceof GoblinError
}
