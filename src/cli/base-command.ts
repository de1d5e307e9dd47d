import { Command, Errors, type Interfaces } from '@oclif/core'
import { isDebugEnabled } from '../core/debug.js'
import { ExitCode, GoblinError, isGoblinError } from '../core/errors.js'
import { fileSystemError } from '../core/fs-errors.js'
import { type TerminalFacts, terminalFacts } from '../core/terminal.js'
import { renderError } from './render-error.js'

/**
 * The base of every goblin command: `--json` on, one place that renders errors with goblin's exit codes,
 * and the terminal facts (colour, progress) a command needs to render.
 * `src/cli/` is the command-side toolkit: only `commands/` imports it.
 */
export abstract class GoblinCommand extends Command {
  static override enableJsonFlag = true

  /** Terminal facts for stdout (tables) and stderr (progress), resolved once per run. */
  protected get stdoutFacts(): TerminalFacts {
    return terminalFacts(process.stdout, process.env, this.jsonEnabled())
  }

  protected get stderrFacts(): TerminalFacts {
    return terminalFacts(process.stderr, process.env, this.jsonEnabled())
  }

  /** Writes a line of human output to stdout; suppressed under --json, whose document oclif prints. */
  protected out(text: string): void {
    if (!this.jsonEnabled()) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
  }

  /** Writes a warning or progress line to stderr. */
  protected note(text: string): void {
    process.stderr.write(text.endsWith('\n') ? text : `${text}\n`)
  }

  protected override async catch(error: Interfaces.CommandError): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error
    const goblinError = toGoblinError(error)
    const json = this.argv.includes('--json')
    if (json) {
      process.stdout.write(`${JSON.stringify({ error: goblinError.toJSON() }, null, 2)}\n`)
    } else {
      process.stderr.write(renderError(goblinError, terminalFacts(process.stderr, process.env, false).color))
    }
    if (isDebugEnabled() && error.stack) process.stderr.write(`${error.stack}\n`)
    return this.exit(goblinError.exit)
  }
}

/**
 * Maps any thrown value to a GoblinError; oclif's own parse errors (unknown flag, missing arg) and file-system
 * problems the user can fix (a directory where a file belongs) are usage errors.
 */
function toGoblinError(error: Error & { oclif?: { exit?: number } }): GoblinError {
  if (isGoblinError(error)) return error
  if (error instanceof Errors.CLIError && error.oclif?.exit === 2) {
    return new GoblinError('USAGE', error.message.split('\n')[0] ?? error.message, {
      hint: 'Run the command with --help to see its flags and arguments.',
      exit: ExitCode.usage,
      cause: error,
    })
  }
  const fsProblem = fileSystemError(error)
  if (fsProblem) return fsProblem
  return new GoblinError('INTERNAL', `unexpected error: ${error.message}`, {
    hint: 'Run again with DEBUG=goblin* for the stack trace, and report it if it persists.',
    exit: ExitCode.notOk,
    cause: error,
  })
}
