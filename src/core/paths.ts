import { join } from 'node:path'
import envPaths from 'env-paths'

/** goblin's state directory: `GOBLIN_HOME`, else the platform data dir (e.g. ~/.local/share/goblin). */
export function goblinHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.GOBLIN_HOME?.trim()
  if (fromEnv) return fromEnv
  return envPaths('goblin', { suffix: '' }).data
}

/** Where each kind of state lives under GOBLIN_HOME. One place, so no module invents its own layout. */
export const homePaths = {
  keys: (home = goblinHome()) => join(home, 'keys'),
  audit: (home = goblinHome()) => join(home, 'audit'),
  /** What this machine verified: the largest checkpoint per log origin (rollback and fork detection). */
  verified: (home = goblinHome()) => join(home, 'verified'),
  /** A witness's cosigner key and the latest checkpoint it cosigned per origin. */
  witness: (home = goblinHome()) => join(home, 'witness'),
  spans: (home = goblinHome()) => join(home, 'spans'),
  prices: (home = goblinHome()) => join(home, 'prices'),
  stack: (home = goblinHome()) => join(home, 'stack'),
  plugins: (home = goblinHome()) => join(home, 'plugins'),
  settings: (home = goblinHome()) => join(home, 'settings'),
}
