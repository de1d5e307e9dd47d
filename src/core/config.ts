import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { findNodeAtLocation, type ParseError, parseTree, printParseErrorCode } from 'jsonc-parser'
import type { z } from 'zod'
import { configSchemas, type ProjectConfig } from './config-schema.js'
import { usageError } from './errors.js'
import { safeParseShipped } from './shipped-schema.js'
import { readUserSettings, userSettingsFile } from './user-settings.js'

export const PROJECT_CONFIG_FILE = 'goblin.config.json'

export interface LoadedProjectConfig {
  /** Absolute path of the file, or null when no project file was found and defaults apply. */
  path: string | null
  config: ProjectConfig
}

/** Finds `goblin.config.json` from `cwd` upward; null when there is none up to the filesystem root. */
export function findProjectConfig(cwd: string = process.cwd()): string | null {
  let dir = resolve(cwd)
  for (;;) {
    const candidate = join(dir, PROJECT_CONFIG_FILE)
    if (existsSync(candidate)) return candidate
    const parent = dirname(dir)
    if (parent === dir) return null
    dir = parent
  }
}

/**
 * Loads and validates the project's config over the user's settings (`goblin config set`) and goblin's
 * defaults. Throws exit-2 errors naming file, line and field.
 */
export function loadProjectConfig(
  cwd: string = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): LoadedProjectConfig {
  const userSettings = readUserSettings(env)
  const path = findProjectConfig(cwd)
  if (!path) return { path: null, config: parseProjectConfig('{}', userSettingsFile(env), userSettings) }
  return { path, config: parseProjectConfig(readFileSync(path, 'utf8'), path, userSettings) }
}

/** Parses config text over `base` (user settings); `where` names the file in error messages. */
export function parseProjectConfig(
  text: string,
  where: string,
  base: Record<string, unknown> = {},
): ProjectConfig {
  const errors: ParseError[] = []
  const tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true })
  const firstError = errors[0]
  if (firstError || !tree) {
    const at = firstError ? lineColumn(text, firstError.offset) : { line: 1, column: 1 }
    const what = firstError ? printParseErrorCode(firstError.error) : 'empty file'
    throw usageError(
      'CONFIG_MALFORMED',
      `${where}:${at.line}:${at.column}: not valid JSON (${what})`,
      `Fix the JSON syntax in ${where}.`,
    )
  }
  const merged = mergeSections(base, JSON.parse(text))
  // The JSON Schema reads a valid config as zod would, without zod (src/core/schema-parse.ts); zod decides
  // the rest and words the error.
  const result = safeParseShipped('config', () => configSchemas().projectConfigSchema, merged)
  if (result.success) return result.data
  const issue = result.error.issues[0] as z.core.$ZodIssue
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol')
  const node = findNodeAtLocation(tree, path) ?? findNodeAtLocation(tree, path.slice(0, -1))
  const at = lineColumn(text, node?.offset ?? 0)
  const field = formatPath(issue.code === 'unrecognized_keys' ? [...path, issue.keys[0] ?? ''] : path)
  const more =
    result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problem(s))` : ''
  throw usageError(
    'CONFIG_INVALID',
    `${where}:${at.line}:${at.column}: ${field || '(top level)'}: ${describeIssue(issue)}${more}`,
    `Correct the field in ${where}; docs/settings.md lists every setting.`,
  )
}

/** Overlays the file's sections on the user settings' sections, one level deep (settings are `section.field`). */
function mergeSections(base: Record<string, unknown>, file: unknown): unknown {
  if (typeof file !== 'object' || file === null || Array.isArray(file)) return file
  const merged: Record<string, unknown> = { ...base }
  for (const [section, value] of Object.entries(file)) {
    const under = base[section]
    const bothObjects = [under, value].every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))
    merged[section] = bothObjects ? { ...(under as object), ...(value as object) } : value
  }
  return merged
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return 'unknown setting'
  return issue.message.replace(/^Invalid input: /, '')
}

function formatPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n')
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 }
}
