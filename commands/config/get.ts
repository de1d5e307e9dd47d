import * as Args from '@oclif/core/args'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { getUserSetting, USER_SETTING_KEYS } from '../../src/core/user-settings.js'

export default class ConfigGet extends GoblinCommand {
  static override summary = 'Print one of your user settings'
  static override description =
    `Settable keys: ${USER_SETTING_KEYS.join(', ')}. A project's goblin.config.json overrides them.`
  static override examples = ['<%= config.bin %> config get stack.runtime']
  static override args = {
    key: Args.string({ description: 'setting key, e.g. stack.runtime', required: true }),
  }

  async run(): Promise<{ key: string; value: string | null }> {
    const { args } = await this.parse(ConfigGet)
    const value = getUserSetting(args.key) ?? null
    this.out(value ?? '(not set)')
    return { key: args.key, value }
  }
}
