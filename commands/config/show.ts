import { GoblinCommand } from '../../src/cli/base-command.js'
import { loadProjectConfig } from '../../src/core/config.js'
import type { ProjectConfig } from '../../src/core/config-schema.js'
import { userSettingsFile } from '../../src/core/user-settings.js'

export default class ConfigShow extends GoblinCommand {
  static override summary = 'Show the effective settings: defaults, your settings, then goblin.config.json'

  static override examples = ['<%= config.bin %> config show', '<%= config.bin %> config show --json']
  async run(): Promise<{ projectFile: string | null; userSettingsFile: string; config: ProjectConfig }> {
    await this.parse(ConfigShow)
    const { path, config } = loadProjectConfig()
    this.out(`project file:  ${path ?? '(none; defaults apply)'}`)
    this.out(`user settings: ${userSettingsFile()}`)
    this.out(JSON.stringify(config, null, 2))
    return { projectFile: path, userSettingsFile: userSettingsFile(), config }
  }
}
