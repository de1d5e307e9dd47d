import { GoblinCommand } from '../../src/cli/base-command.js'
import { GOBLIN_SCHEMA } from '../../src/policy/schema.js'

export default class PolicySchema extends GoblinCommand {
  static override summary = 'Print goblin’s Cedar schema (entities, actions, the request context)'
  static override description =
    'The schema goblin policy validate checks policies against, in Cedar’s schema syntax. Copy it into a .cedarschema file and set policy.schema in goblin.config.json to add actions or tool input fields of your own.'
  static override examples = ['<%= config.bin %> policy schema > goblin.cedarschema']

  async run(): Promise<{ schema: string }> {
    await this.parse(PolicySchema)
    this.out(GOBLIN_SCHEMA)
    return { schema: GOBLIN_SCHEMA }
  }
}
