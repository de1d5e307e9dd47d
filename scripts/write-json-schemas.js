// Build step (after tsc): writes into dist the JSON Schemas derived from goblin's zod schemas. That of
// goblin.config.json the package ships for "$schema" (`goblin config schema` prints the same document); it and
// the audit keyring's are what goblin reads a valid file by at start-up, without loading zod
// (src/core/shipped-schema.ts). Generated, not kept in git.
import { writeFileSync } from 'node:fs'
import { keyringSchema } from '../dist/src/audit/keyring.js'
import { projectConfigJsonSchema } from '../dist/src/core/config-json-schema.js'
import { lazyZod } from '../dist/src/core/lazy-zod.js'
import { SHIPPED_SCHEMAS } from '../dist/src/core/shipped-schema.js'

const schemas = {
  config: projectConfigJsonSchema(),
  keyring: lazyZod().toJSONSchema(keyringSchema(), { io: 'input' }),
}
for (const [name, schema] of Object.entries(schemas)) {
  writeFileSync(
    new URL(`../dist/${SHIPPED_SCHEMAS[name]}`, import.meta.url),
    `${JSON.stringify(schema, null, 2)}\n`,
  )
}
