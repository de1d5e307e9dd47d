import type { Command, Interfaces } from '@oclif/core'
import { type CLIError, ExitError, exit } from '@oclif/core/errors'
import { boolean } from '@oclif/core/flags'
import { parse } from '@oclif/core/parser'
import { colorizeJson, stdout } from '@oclif/core/ux'
import { type TerminalFacts, terminalFacts } from '../core/terminal.js'
import { describePluginProblem, type PluginProblem } from '../plugins/hook-runner.js'
import { paint } from '../ui/style.js'
import { toGoblinError, writeError } from './error-output.js'

/**
 * What a command reads of the CLI it runs in: oclif's Config where oclif runs it, or the one src/cli/lean-run.ts
 * makes where goblin runs its own command without oclif (no plugin installed).
 */
export type CommandConfig = Pick<
  Interfaces.Config,
  'bin' | 'version' | 'root' | 'plugins' | 'topics' | 'commandIDs' | 'runHook' | 'scopedEnvVar' | 'theme'
>

/** Parsed flags or args, by name. */
type Output = Record<string, unknown>

/** The flag `enableJsonFlag` adds, as oclif declares it (its help lists it among the global flags). */
const JSON_FLAG = boolean({ description: 'Format output as json.', helpGroup: 'GLOBAL' })

/**
 * The base of every goblin command: `--json` on, one place that renders errors with goblin's exit codes,
 * the output levels, and the terminal facts (colour, width, progress) a command renders with.
 * Levels: `out` is the result (stdout, silent under --json, whose document is printed after `run`); `note`,
 * `warning` and `success` go to stderr. `src/cli/` is the command-side toolkit: only `commands/` imports it.
 *
 * It is not oclif's Command but keeps its contract (the statics its manifest and help read, a static `run`,
 * the run / catch / finally order, flags parsed by oclif's parser, the --json document as oclif writes
 * it), so that oclif runs goblin's commands as its own, and goblin can run them without loading the rest of
 * oclif (its plugin loading and config, about 40 ms of every start: bench/README.md).
 */
export abstract class GoblinCommand {
  static id: string
  static summary?: string
  static description: string | undefined
  static examples: Command.Example[] = []
  static usage: string | string[] | undefined
  static hidden: boolean | undefined
  static aliases: string[] = []
  static hiddenAliases: string[] = []
  static strict = true
  static enableJsonFlag = true
  static flags: Interfaces.FlagInput = {}
  static baseFlags: Interfaces.FlagInput = {}
  static args: Interfaces.ArgInput = {}

  /** How oclif, and lean-run, run a command: one instance per run. */
  static async run(
    this: new (
      argv: string[],
      config: CommandConfig,
    ) => GoblinCommand,
    argv: string[],
    config: CommandConfig,
  ) {
    return new this(argv, config).runLifecycle()
  }

  id: string | undefined

  constructor(
    public argv: string[],
    public config: CommandConfig,
  ) {
    this.id = this.ctor.id
  }

  abstract run(): Promise<unknown>

  protected get ctor(): typeof GoblinCommand {
    return this.constructor as typeof GoblinCommand
  }

  /** oclif's order: run, or catch what it threw; then finally; then the result as the --json document. */
  private async runLifecycle(): Promise<unknown> {
    let failure: Error | undefined
    let result: unknown
    try {
      result = await this.run()
    } catch (error) {
      failure = error as Error
      await this.catch(error as Error)
    } finally {
      await this.finally(failure)
    }
    if (result && this.jsonEnabled()) this.logJson(result)
    return result
  }

  /** Whether the --json document is asked for: the flag before any `--`, or GOBLIN_CONTENT_TYPE=json. */
  jsonEnabled(): boolean {
    if (!this.ctor.enableJsonFlag) return false
    if (this.config.scopedEnvVar('CONTENT_TYPE')?.toLowerCase() === 'json') return true
    const json = this.argv.indexOf('--json')
    const passThrough = this.argv.indexOf('--')
    return json !== -1 && (passThrough === -1 || json < passThrough)
  }

  /** Flags and args by oclif's parser, with `--json` added as oclif adds it. */
  protected async parse<F extends Output, B extends Output, A extends Output>(
    options: Interfaces.Input<F, B, A>,
    argv: string[] = this.argv,
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const flags = { ...options.baseFlags, ...options.flags }
    return parse(argv, {
      // What flag parsers and defaults receive; goblin's read nothing of it.
      context: this as unknown as Command,
      ...options,
      flags: (options.enableJsonFlag ? { json: JSON_FLAG, ...flags } : flags) as Interfaces.FlagInput<F>,
    })
  }

  /** Ends the command with an exit code (oclif's ExitError, which whoever runs the command turns into it). */
  protected exit(code = 0): never {
    return exit(code)
  }

  /** The --json document, as oclif writes it (pretty, coloured by the user's oclif theme if any). */
  protected logJson(json: unknown): void {
    stdout(colorizeJson(json, { pretty: true, theme: this.config.theme?.json }))
  }

  /** Terminal facts for stdout (tables) and stderr (progress), resolved once per run. */
  protected get stdoutFacts(): TerminalFacts {
    return terminalFacts(process.stdout, process.env, this.jsonEnabled())
  }

  protected get stderrFacts(): TerminalFacts {
    return terminalFacts(process.stderr, process.env, this.jsonEnabled())
  }

  /** The result, for people: a line on stdout; suppressed under --json, whose document is printed instead. */
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

  /** Every error but an exit request is written the goblin way, with its exit code. */
  protected async catch(error: Error | CLIError): Promise<unknown> {
    if (error instanceof ExitError) throw error
    return this.exit(writeError(toGoblinError(error), this.jsonEnabled(), error))
  }

  protected async finally(_error: Error | undefined): Promise<unknown> {
    return undefined
  }
}
