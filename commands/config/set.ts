import * as Args from '@oclif/core/args'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { setUserSetting, USER_SETTING_KEYS, userSettingsFile } from '../../src/core/user-settings.js'

export default class ConfigSet extends GoblinCommand {
  static override summary = 'Store a user setting (your default across projects)'
  static override description =
    `Settable keys: ${USER_SETTING_KEYS.join(', ')}. A project's goblin.config.json overrides them.`
  static override examples = ['<%= config.bin %> config set stack.runtime embedded']
  static override args = {
    key: Args.string({ description: 'setting key', required: true }),
    value: Args.string({ description: 'new value', required: true }),
  }

  async run(): Promise<{ key: string; value: string; file: string }> {
    const { args } = await this.parse(ConfigSet)
    await setUserSetting(args.key, args.value)
    this.out(`${args.key} = ${args.value}`)
    return { key: args.key, value: args.value, file: userSettingsFile() }
  }
}
