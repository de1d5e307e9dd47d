import { join } from 'node:path'
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { type ScaffoldResult, scaffoldPlugin } from '../../src/plugins/scaffold.js'

export default class PluginsNew extends GoblinCommand {
  static override summary = 'Scaffold a new goblin plugin'
  static override description =
    'Writes a TypeScript oclif plugin with one command, one implementation of each goblin hook (doctor checks, stack services, cost prices, audit events), its tests and README, into DIR/goblin-plugin-NAME.'
  static override examples = [
    '<%= config.bin %> plugins new acme',
    '<%= config.bin %> plugins new @acme/goblin-plugin-tools --dir ~/src',
  ]
  static override args = {
    name: Args.string({
      description: 'plugin name: acme, goblin-plugin-acme or @scope/name',
      required: true,
    }),
  }
  static override flags = {
    dir: Flags.string({ description: 'parent directory of the new plugin', default: '.' }),
  }

  async run(): Promise<ScaffoldResult & { next: string[] }> {
    const { args, flags } = await this.parse(PluginsNew)
    // A plugin's topic must not shadow a goblin topic or command, built-in or from an installed plugin.
    const taken = [...this.config.topics.map((t) => t.name), ...this.config.commandIDs].map(
      (id) => id.split(':')[0] ?? id,
    )
    const result = await scaffoldPlugin({
      name: args.name,
      parentDir: flags.dir,
      templateDir: join(this.config.root, 'templates', 'plugin'),
      taken,
    })
    const next = [
      `cd ${result.directory}`,
      'npm install',
      'npm run build && npm test',
      `${this.config.bin} plugins link . --no-install`,
      `${this.config.bin} ${result.command}`,
    ]
    this.out(`Created ${result.packageName} in ${result.directory} (${result.files.length} files).`)
    this.out(`\nNext:\n${next.map((step) => `  ${step}`).join('\n')}`)
    return { ...result, next }
  }
}
