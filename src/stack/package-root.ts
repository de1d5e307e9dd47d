import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let cached: string | undefined

/**
 * The directory goblin is installed in (it holds `bin/run.js` and `stack/`). Found by walking up from this
 * module, so it is the same whether the code runs compiled from `dist/src/stack` or as source in tests.
 */
export function packageRoot(): string {
  if (cached) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin', 'run.js'))) {
      cached = dir
      return dir
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`goblin's package root not found above ${import.meta.url}`)
    dir = parent
  }
}

/** The `goblin` executable script (`bin/run.js`) that background processes are started with. */
export function goblinBin(): string {
  return join(packageRoot(), 'bin', 'run.js')
}

/** The `stack/` directory: the configuration files the stack's services run with, and the Helm chart. */
export function stackAssetsDir(): string {
  return join(packageRoot(), 'stack')
}
