import { GoblinCommand } from '../../src/cli/base-command.js'
import { projectConfigJsonSchema, SHIPPED_CONFIG_SCHEMA_PATH } from '../../src/core/config-json-schema.js'

export default class ConfigSchema extends GoblinCommand {
  static override summary = 'Print the JSON Schema of goblin.config.json'
  static override description =
    `Editors complete and check goblin.config.json when its "$schema" names this schema: the copy the package ships (${SHIPPED_CONFIG_SCHEMA_PATH}), or one saved with this command. The schema is generated from the same definition goblin validates the file with.`
  static override examples = [
    '<%= config.bin %> config schema > goblin.config.schema.json   # then "$schema": "./goblin.config.schema.json"',
  ]

  async run(): Promise<Record<string, unknown>> {
    await this.parse(ConfigSchema)
    const schema = projectConfigJsonSchema()
    this.out(JSON.stringify(schema, null, 2))
    return schema
  }
}
