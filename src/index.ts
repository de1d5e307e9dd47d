/**
 * `@goblinos/cli`: goblin as a library. The SDK for services (everything `@goblinos/cli/telemetry` exports) and
 * the schema of `goblin.config.json`, as zod and as JSON Schema.
 */

import { configSchemas } from './core/config-schema.js'

export { projectConfigJsonSchema } from './core/config-json-schema.js'
export { defaultProjectConfig, type ProjectConfig } from './core/config-schema.js'
/** The zod schema of `goblin.config.json`. */
export const projectConfigSchema = configSchemas().projectConfigSchema
export * from './telemetry/index.js'
