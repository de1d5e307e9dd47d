import { Command, Errors, type Interfaces } from '@oclif/core'
import { type TerminalFacts, terminalFacts } from '../core/terminal.js'
import { describePluginProblem, type PluginProblem } from '../plugins/hook-runner.js'
import { paint } from '../ui/style.js'
import { toGoblinError, writeError } from './error-output.js'

/**
 * The base of every goblin command: `--json` on, one place that renders errors with goblin's exit codes,
 * the output levels, and the terminal facts (colour, width, progress) a command renders with.
 * Levels: `out` is the result (stdout, silent under --json, whose document oclif prints); `note`, `warning`
 * and `success` go to stderr. `src/cli/` is the command-side toolkit: only `commands/` imports it.
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

  /** The result, for people: a line on stdout; suppressed under --json, whose document oclif prints. */
  protected out(text: string): void {
    if (!this.jsonEnabled()) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
  }

  /** Information about the run (what it is doing, where): a line on stderr. */
  protected note(text: string): void {
    process.stderr.write(text.endsWith('\n') ? text : `${text}\n`)
  }

  /** Something the user should know but that did not stop the command: `warning: …` on stderr. */
  protected warning(text: string): void {
    this.note(`${paint('warning:', 'yellow', this.stderrFacts.color)} ${text}`)
  }

  /** A step done: a line on stderr, green on a colour terminal. */
  protected success(text: string): void {
    this.note(paint(text, 'green', this.stderrFacts.color))
  }

  /** The one warning for plugins whose hook failed, hung or answered malformed data. */
  protected warnPluginProblems(problems: PluginProblem[]): void {
    for (const problem of problems) this.warning(describePluginProblem(problem))
  }

  protected override async catch(error: Interfaces.CommandError): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error
    return this.exit(writeError(toGoblinError(error), this.jsonEnabled(), error))
  }
}
