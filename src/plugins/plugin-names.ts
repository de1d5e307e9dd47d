import { usageError } from '../core/errors.js'

/** The names one plugin goes by, all derived from what the author typed after `goblin plugins new`. */
export interface PluginNames {
  /** The npm package name: `goblin-plugin-<topic>`, or the scoped or prefixed name given. */
  packageName: string
  /** The command topic (`goblin <topic> hello`), also the prefix of its doctor check ids and services. */
  topic: string
  /** The prefix of the plugin's environment variables, e.g. `ACME` for topic `acme`. */
  envPrefix: string
  /** The directory the scaffold is written to: the package name without its scope. */
  directoryName: string
}

const PACKAGE_PREFIX = 'goblin-plugin-'
const NAME_PATTERN = /^(?:@([a-z0-9][a-z0-9-]*)\/)?([a-z][a-z0-9-]*)$/
const TOPIC_PATTERN = /^[a-z][a-z0-9-]*$/

/**
 * Derives a plugin's names from `name` (`acme`, `goblin-plugin-acme` or `@acme/goblin-plugin-tools`).
 * `taken` lists topics and top-level commands goblin already has; a plugin may not shadow one of them.
 */
export function pluginNames(name: string, taken: Iterable<string> = []): PluginNames {
  const match = NAME_PATTERN.exec(name.trim())
  const base = match?.[2]
  if (!match || !base) {
    throw usageError(
      'PLUGIN_NAME_INVALID',
      `"${name}" is not a plugin name: use lowercase letters, digits and "-", starting with a letter, optionally scoped (@scope/name)`,
      'For example: goblin plugins new acme',
    )
  }
  const topic = base.startsWith(PACKAGE_PREFIX) ? base.slice(PACKAGE_PREFIX.length) : base
  if (!TOPIC_PATTERN.test(topic)) {
    throw usageError(
      'PLUGIN_NAME_INVALID',
      `"${name}" leaves "${topic}" as the command topic, which must start with a letter`,
      'Name the plugin for what it adds, e.g. goblin plugins new acme',
    )
  }
  if (new Set(taken).has(topic)) {
    throw usageError(
      'PLUGIN_NAME_TAKEN',
      `"${topic}" is already a goblin command or topic, so the plugin's commands would clash with it`,
      'Choose another name.',
    )
  }
  const scoped = match[1] !== undefined
  const packageName = scoped || base.startsWith(PACKAGE_PREFIX) ? name.trim() : `${PACKAGE_PREFIX}${base}`
  return {
    packageName,
    topic,
    envPrefix: topic.toUpperCase().replaceAll('-', '_'),
    directoryName: packageName.replace(/^@[^/]+\//, ''),
  }
}
