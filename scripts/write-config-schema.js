// Build step (after tsc): writes the JSON Schema of goblin.config.json into dist, where the package ships it
// for "$schema" (`goblin config schema` prints the same document). Generated, not kept in git.
import { writeFileSync } from 'node:fs'
import { projectConfigJsonSchema } from '../dist/src/core/config-json-schema.js'

writeFileSync(
  new URL('../dist/goblin.config.schema.json', import.meta.url),
  `${JSON.stringify(projectConfigJsonSchema(), null, 2)}\n`,
)
