import * as Args from '@oclif/core/args'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { unsetUserSetting } from '../../src/core/user-settings.js'

export default class ConfigUnset extends GoblinCommand {
  static override summary = 'Remove a user setting'
  static override examples = ['<%= config.bin %> config unset stack.runtime']
  static override args = { key: Args.string({ description: 'setting key', required: true }) }

  async run(): Promise<{ key: string }> {
    const { args } = await this.parse(ConfigUnset)
    await unsetUserSetting(args.key)
    this.out(`${args.key} unset`)
    return { key: args.key }
  }
}
