import * as Errors from '@oclif/core/errors'
import { isDebugEnabled } from '../core/debug.js'
import { GoblinError, isGoblinError } from '../core/errors.js'
import { fileSystemError } from '../core/fs-errors.js'
import { terminalFacts } from '../core/terminal.js'
import { stripAnsi } from '../ui/style.js'
import { renderError } from './render-error.js'

/**
 * Where an error came from: one of goblin's own commands, goblin's plugin management (`goblin plugins …`, whose
 * failures are about the plugin the user named), or a command another plugin brings.
 */
export type ErrorSource = 'goblin' | 'plugins' | 'plugin'

/**
 * Maps any thrown value to a GoblinError. oclif's own parse and validation errors (unknown flag, missing
 * argument, a flag's failed parse) are usage errors with oclif's whole message, every line of it; file-system
 * problems the user can fix are theirs (exit 2); anything else from goblin is INTERNAL, from a plugin's command
 * PLUGIN_COMMAND_FAILED.
 */
export function toGoblinError(error: unknown, source: ErrorSource = 'goblin'): GoblinError {
  if (isGoblinError(error)) {
    // A flag's own parse threw it, and oclif wrapped its message (`Parsing --every` and a tab): tidy that.
    const message = tidy(error.message)
    if (message === error.message) return error
    return new GoblinError(error.code, message, { hint: error.hint, exit: error.exit, cause: error })
  }
  const e = error instanceof Error ? error : new Error(String(error))
  if (e instanceof Errors.CLIError) {
    const exit = (e as Errors.CLIError).oclif?.exit
    if (exit === 2 || exit === undefined)
      return new GoblinError('USAGE', tidy(e.message), {
        hint: 'Run the command with --help to see its flags and arguments.',
        cause: e,
      })
  }
  const fsProblem = fileSystemError(e)
  if (fsProblem) return fsProblem
  if (source === 'plugins')
    return new GoblinError('PLUGINS_FAILED', tidy(e.message), {
      hint: 'Check the plugin name (goblin plugins lists what is installed), or see goblin plugins --help.',
      cause: e,
    })
  if (source === 'plugin')
    return new GoblinError('PLUGIN_COMMAND_FAILED', tidy(e.message), {
      hint: 'The command comes from a plugin: see its --help, or goblin plugins to list what is installed.',
      cause: e,
    })
  return new GoblinError('INTERNAL', `unexpected error: ${e.message}`, {
    hint: 'Run again with DEBUG=goblin* for the stack trace, and report it if it persists.',
    cause: e,
  })
}

/**
 * oclif's message as plain text: no colour, tabs as two spaces, no trailing blanks; every line kept but the
 * parser's closing `See more help with --help`, which the usage hint says already.
 */
function tidy(message: string): string {
  const lines = stripAnsi(message)
    .split('\n')
    .map((line) => line.replace(/^\t+/, (tabs) => '  '.repeat(tabs.length)).trimEnd())
  if (lines.length > 1 && lines.at(-1) === 'See more help with --help') lines.pop()
  return lines.join('\n').trim()
}

/** The `--json` form of an error: one document, `{"error": {"code", "message", "hint", "exit"}}`. */
export function errorJson(error: GoblinError): string {
  return `${JSON.stringify({ error: error.toJSON() }, null, 2)}\n`
}

/**
 * Writes an error the one way goblin does: under --json the document on stdout, else `Error:`/`Hint:` on
 * stderr; the stack only under DEBUG=goblin*. Returns the exit code the process should end with.
 */
export function writeError(error: GoblinError, json: boolean, original: unknown = error): number {
  if (json) process.stdout.write(errorJson(error))
  else process.stderr.write(renderError(error, terminalFacts(process.stderr, process.env, false).color))
  const stack = original instanceof Error ? original.stack : undefined
  if (isDebugEnabled() && stack) process.stderr.write(`${stack}\n`)
  return error.exit
}

/** `--json` asked for before a command exists (unknown command, oclif failing to load): the flag or GOBLIN_CONTENT_TYPE. */
export function jsonRequested(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  if (env.GOBLIN_CONTENT_TYPE?.toLowerCase() === 'json') return true
  const end = argv.indexOf('--')
  const json = argv.indexOf('--json')
  return json !== -1 && (end === -1 || json < end)
}
