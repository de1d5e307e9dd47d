import { Command, Errors, handle } from '@oclif/core'
import { GoblinError, isGoblinError } from '../core/errors.js'
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
 * exit code, whether or not they declare `--json` themselves; one without JSON output refuses to run
 * (its text would break the one document). goblin's own commands override `catch`.
 */
export function installPluginCommandErrors(): void {
  // `catch` and `init` are protected: reach them through a structural view of the prototype rather than
  // widen oclif's types.
  const proto = Command.prototype as unknown as {
    catch: (this: Command, error: Error) => Promise<unknown>
    init: (this: Command) => Promise<unknown>
  }
  const oclifInit = proto.init
  proto.init = async function (this: Command) {
    const ctor = this.constructor as typeof Command
    if (!ctor.enableJsonFlag && jsonRequested(this.argv, process.env)) {
      const name = `${this.config.bin} ${(this.id ?? '').replaceAll(':', ' ')}`
      throw new GoblinError('USAGE', `\`${name}\` has no JSON output`, {
        hint: 'Run it without --json (and without GOBLIN_CONTENT_TYPE=json); it reports in text.',
      })
    }
    return oclifInit.call(this)
  }
  const oclifCatch = proto.catch
  proto.catch = async function (this: Command, error: Error) {
    if (error instanceof Errors.ExitError || !(this.jsonEnabled() || jsonRequested(this.argv, process.env)))
      return oclifCatch.call(this, error)
    const source = this.id?.startsWith('plugins') ? 'plugins' : 'plugin'
    return this.exit(writeError(toGoblinError(error, source), true, error))
  }
}
