import { join } from 'node:path'
import { goblinHome, homePaths } from '../core/paths.js'

/**
 * The environment variables oclif reads for its data, cache and config directories (`<BIN>_DATA_DIR` etc.
 * for bin `goblin`). @oclif/plugin-plugins installs and links plugins in the data directory, so pointing it
 * at `GOBLIN_HOME/plugins` keeps plugins with the rest of goblin's state and never in a project.
 */
export const OCLIF_DIR_VARIABLES = ['GOBLIN_DATA_DIR', 'GOBLIN_CACHE_DIR', 'GOBLIN_CONFIG_DIR'] as const

/**
 * The oclif directory variables to add to `env`: each one not already set, derived from GOBLIN_HOME
 * (data: `GOBLIN_HOME/plugins`, cache: `.../plugins/cache`, config: `.../plugins/config`).
 * A variable the user set wins, so oclif's own documented overrides keep working.
 */
export function oclifDirsEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const data = homePaths.plugins(goblinHome(env))
  const wanted: Record<(typeof OCLIF_DIR_VARIABLES)[number], string> = {
    GOBLIN_DATA_DIR: data,
    GOBLIN_CACHE_DIR: join(data, 'cache'),
    GOBLIN_CONFIG_DIR: join(data, 'config'),
  }
  return Object.fromEntries(Object.entries(wanted).filter(([name]) => !env[name]?.trim()))
}
