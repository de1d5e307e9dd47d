import { createRequire } from 'node:module'

/**
 * zod, loaded when first asked for rather than imported: loading it costs a command about half a bare
 * `node` start, and most commands never parse with it (a valid config is read by its JSON Schema,
 * src/core/schema-parse.ts; a plugin hook's answer is checked only when a plugin answers). By require, which
 * Node 22.12+ allows for an ES module, so a caller stays synchronous; bin/run.js's resolve hook serves
 * require and import the same bundle.
 */
export function lazyZod(): typeof import('zod').z {
  return createRequire(import.meta.url)('zod').z
}

/** A zod schema built on its first call, with zod loaded then: for a schema most commands never parse with. */
export function lazySchema<S>(build: (z: typeof import('zod').z) => S): () => S {
  let schema: S | undefined
  return () => {
    schema ??= build(lazyZod())
    return schema
  }
}
