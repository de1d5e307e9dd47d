import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { configSchemas } from './config-schema.js'
import { usageError } from './errors.js'
import { goblinHome, homePaths } from './paths.js'

/**
 * A user's own defaults (`goblin config set KEY VALUE`), stored by `conf` under GOBLIN_HOME/settings.
 * They sit between goblin's defaults and a project's goblin.config.json, which wins.
 */
export const USER_SETTING_KEYS = [
  'stack.runtime',
  'trace.backend',
  'trace.endpoint',
  'audit.key',
  'audit.origin',
] as const
export type UserSettingKey = (typeof USER_SETTING_KEYS)[number]

export function userSettingsFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(homePaths.settings(goblinHome(env)), 'config.json')
}

/** The stored settings as a nested object; `{}` when none were ever set. Reads the file without loading conf. */
export function readUserSettings(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const file = userSettingsFile(env)
  if (!existsSync(file)) return {}
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
  } catch {
    throw usageError('SETTINGS_MALFORMED', `${file} is not valid JSON`, `Fix or delete ${file}.`)
  }
}

function assertKnownKey(key: string): asserts key is UserSettingKey {
  if (!(USER_SETTING_KEYS as readonly string[]).includes(key)) {
    throw usageError(
      'SETTINGS_UNKNOWN_KEY',
      `unknown setting: ${key}`,
      `Settable keys: ${USER_SETTING_KEYS.join(', ')}.`,
    )
  }
}

async function openStore(env: NodeJS.ProcessEnv) {
  const { default: Conf } = await import('conf')
  return new Conf<Record<string, unknown>>({
    projectName: 'goblin',
    cwd: homePaths.settings(goblinHome(env)),
    configName: 'config',
  })
}

/** Validates `value` for `key` against the project schema, then stores it atomically. */
export async function setUserSetting(
  key: string,
  value: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  assertKnownKey(key)
  const [section, field] = key.split('.') as [string, string]
  const probe = configSchemas().projectConfigSchema.safeParse({ [section]: { [field]: value } })
  if (!probe.success) {
    const issue = probe.error.issues[0]
    throw usageError(
      'SETTINGS_INVALID',
      `${key}: ${issue?.message.replace(/^Invalid input: /, '') ?? 'invalid value'}`,
    )
  }
  const store = await openStore(env)
  store.set(key, value)
}

/** Removes a stored setting; unknown keys are a usage error. */
export async function unsetUserSetting(key: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  assertKnownKey(key)
  const store = await openStore(env)
  store.delete(key)
}

/** The stored value of `key`, or undefined. */
export function getUserSetting(key: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  assertKnownKey(key)
  const [section, field] = key.split('.') as [string, string]
  const value = (readUserSettings(env)[section] as Record<string, unknown> | undefined)?.[field]
  return typeof value === 'string' ? value : undefined
}
