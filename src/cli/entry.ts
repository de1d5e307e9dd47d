import { Command, Errors, handle } from '@oclif/core'
import { isGoblinError } from '../core/errors.js'
import { jsonRequested, toGoblinError, writeError } from './error-output.js'

/**
 * Errors that reach goblin's entry point, outside any goblin command: an unknown command (the not-found hook's
 * UNKNOWN_COMMAND), a plugin's command, oclif failing to load. A GoblinError, or anything under --json, is
 * written the goblin way; the rest (an exit request, oclif's own messages) goes to oclif's handler.
 */
export async function handleEntryError(error: unknown, argv: readonly string[]): Promise<void> {
  if (error instanceof Errors.ExitError) return handle(error)
  if (!isGoblinError(error) && !jsonRequested(argv, process.env)) return handle(error as Error)
  process.exitCode = writeError(toGoblinError(error, 'plugin'), jsonRequested(argv, process.env), error)
}

/**
 * Commands that other plugins bring (oclif's `plugins` commands, `autocomplete`, third-party plugins) keep
 * oclif's own error handling, except under --json: there they answer with goblin's one error document and
 * exit code, whether or not they declare `--json` themselves. goblin's own commands override `catch`.
 */
export function installPluginCommandErrors(): void {
  // `catch` is protected: reach it through a structural view of the prototype rather than widen oclif's type.
  const proto = Command.prototype as unknown as { catch: (this: Command, error: Error) => Promise<unknown> }
  const oclifCatch = proto.catch
  proto.catch = async function (this: Command, error: Error) {
    if (error instanceof Errors.ExitError || !(this.jsonEnabled() || jsonRequested(this.argv, process.env)))
      return oclifCatch.call(this, error)
    const source = this.id?.startsWith('plugins') ? 'plugins' : 'plugin'
    return this.exit(writeError(toGoblinError(error, source), true, error))
  }
}
