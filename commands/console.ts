import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../src/cli/base-command.js'
import { loadProjectConfig } from '../src/core/config.js'
import { goblinHome } from '../src/core/paths.js'
import type { ConsoleLink } from '../src/stack/console-link.js'

export default class Console extends GoblinCommand {
  static override summary = 'Open the console: traces, LLM cost and the audit log in a web page'
  static override description =
    'The console is served by the embedded collector on /console/ (goblin stack up, or goblin collector serve), on 127.0.0.1 only. Opens it in the default browser (open on macOS, xdg-open with a display), or prints its URL where there is no browser to ask, with --print, or --json. Exits 3 when no collector answers.'
  static override examples = [
    '<%= config.bin %> console',
    '<%= config.bin %> console 4bf92f35 --print',
    '<%= config.bin %> console --json',
  ]
  static override args = {
    trace: Args.string({ description: 'open this trace: its id, its first digits, or latest' }),
  }
  static override flags = {
    print: Flags.boolean({ description: 'print the URL; do not open a browser' }),
  }

  async run(): Promise<ConsoleLink> {
    const { args, flags } = await this.parse(Console)
    const { browserOpener, consoleUrl, openWith } = await import('../src/stack/console-link.js')
    const url = await consoleUrl(goblinHome(), loadProjectConfig().config, args.trace)
    const opener = flags.print || this.jsonEnabled() ? null : await browserOpener()
    if (opener) openWith(opener, url)
    this.out(url)
    if (opener) this.note(`opened with ${opener}`)
    return { url, openedWith: opener }
  }
}
