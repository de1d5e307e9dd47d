import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { findNodeAtLocation, type ParseError, parseTree, printParseErrorCode } from 'jsonc-parser'
import type { z } from 'zod'
import { defaultProjectConfig, type ProjectConfig, projectConfigSchema } from './config-schema.js'
import { usageError } from './errors.js'

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

/** Loads and validates the project's config, or the defaults when there is none. Throws exit-2 errors naming file, line and field. */
export function loadProjectConfig(cwd: string = process.cwd()): LoadedProjectConfig {
  const path = findProjectConfig(cwd)
  if (!path) return { path: null, config: defaultProjectConfig() }
  return { path, config: parseProjectConfig(readFileSync(path, 'utf8'), path) }
}

/** Parses config text; `where` names the file in error messages. */
export function parseProjectConfig(text: string, where: string): ProjectConfig {
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
  const result = projectConfigSchema.safeParse(JSON.parse(text))
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
    `Correct the field in ${where}; the README's "Configuration" section lists every setting.`,
  )
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
