import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Interfaces } from '@oclif/core'

/**
 * Whether oclif would find a plugin the user installed or linked: @oclif/plugin-plugins records both in
 * the data directory's package.json (GOBLIN_DATA_DIR, which bin/run.js sets from GOBLIN_HOME).
 */
export function userPluginsRecorded(env: NodeJS.ProcessEnv): boolean {
  const dataDir = env.GOBLIN_DATA_DIR
  return !dataDir || existsSync(join(dataDir, 'package.json'))
}

/**
 * The options for oclif's `run()` that hand it goblin's own plugin and the plugins goblin ships (package.json
 * `oclif.plugins`) already loaded, the same plugins its own search would load, so that it does not search:
 * it matches every pattern in `oclif.plugins` against every dependency with minimatch, then looks for user and
 * development plugins (about a quarter of oclif's start-up, bench/README.md). `entry` is bin/run.js, which
 * oclif is otherwise given. Undefined, and oclif searches as always, wherever the search could find more or
 * otherwise: a user-installed or linked plugin, a pattern that is not a plain dependency name, a shipped
 * plugin that brings plugins of its own, or any plugin that fails to load (oclif then reports it its way).
 */
export async function shippedPluginsOptions(
  entry: string,
  env: NodeJS.ProcessEnv,
): Promise<Interfaces.LoadOptions | undefined> {
  if (userPluginsRecorded(env)) return undefined
  const { Plugin } = await import('@oclif/core')
  try {
    const root = new Plugin({ isRoot: true, root: entry })
    await root.load()
    const { dependencies = {}, oclif } = root.pjson
    const names = oclif.plugins ?? []
    if (oclif.devPlugins || names.some((name) => !Object.hasOwn(dependencies, name))) return undefined
    const shipped = await Promise.all(
      names.map(async (name) => {
        const plugin = new Plugin({ name, root: root.root, type: 'core' })
        await plugin.load()
        return plugin
      }),
    )
    if (shipped.some((plugin) => plugin.pjson.oclif.plugins?.length)) return undefined
    return { root: entry, plugins: new Map([root, ...shipped].map((plugin) => [plugin.name, plugin])) }
  } catch {
    return undefined
  }
}
