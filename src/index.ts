/**
 * `@goblinos/cli`: goblin as a library. The SDK for services (everything `@goblinos/cli/telemetry` exports) and
 * the schema of `goblin.config.json`, as zod and as JSON Schema.
 */

export { projectConfigJsonSchema } from './core/config-json-schema.js'
export { defaultProjectConfig, type ProjectConfig, projectConfigSchema } from './core/config-schema.js'
export * from './telemetry/index.js'
