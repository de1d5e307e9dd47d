import { Command, Flags } from '@oclif/core'
import { greeting } from '../../greeting.js'

/** `goblin __PLUGIN_TOPIC__ hello`: the plugin's example command. */
export default class Hello extends Command {
  static override summary = 'Say hello from __PLUGIN_PACKAGE__'
  static override examples = ['<%= config.bin %> __PLUGIN_TOPIC__ hello --name Ada']
  static override enableJsonFlag = true
  static override flags = {
    name: Flags.string({ description: 'who to greet', default: 'goblin' }),
  }

  async run(): Promise<{ greeting: string }> {
    const { flags } = await this.parse(Hello)
    const text = greeting(flags.name)
    // Under --json oclif prints the returned document instead and this line stays quiet.
    this.log(text)
    return { greeting: text }
  }
}
