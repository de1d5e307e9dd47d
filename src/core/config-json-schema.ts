import { configSchemas } from './config-schema.js'
import { lazyZod } from './lazy-zod.js'

/** Where the package ships the schema (written at build), for `"$schema"` in a project's goblin.config.json. */
export const SHIPPED_CONFIG_SCHEMA_PATH = 'node_modules/@goblinos/cli/dist/goblin.config.schema.json'

/**
 * The JSON Schema (draft 2020-12) of `goblin.config.json`, derived from the one zod schema. It describes what a
 * file may contain (zod's input side), so every setting that has a default is optional.
 */
export function projectConfigJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = lazyZod().toJSONSchema(configSchemas().projectConfigSchema, { io: 'input' })
  return {
    $schema,
    title: 'goblin.config.json',
    description: "goblin's project settings; see docs/settings.md",
    ...rest,
  }
}
