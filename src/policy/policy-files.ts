import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { loadProjectConfig } from '../core/config.js'
import { usageError } from '../core/errors.js'

/** One policy file as read: its name (relative to the project) for messages and ids, and its text. */
export interface PolicySource {
  name: string
  path: string
  text: string
}

/** Where a project's policies are: `policy.files` and `policy.schema` of goblin.config.json, resolved. */
export interface PolicyLocation {
  /** The directory names are relative to: the config file's, else the working directory. */
  root: string
  config: string | null
  /** Files or directories, absolute. */
  entries: string[]
  /** True when `policy.files` is the default (`policies/`), which may be absent: then there are no policies. */
  defaulted: boolean
  /** The schema file the project gives, or null for goblin's own. */
  schema: string | null
}

export const POLICY_EXTENSION = '.cedar'
export const TEST_CASES_SUFFIX = '.test.json'

/** The project's policy location, from goblin.config.json found from `cwd` upward. */
export function policyLocation(cwd: string = process.cwd()): PolicyLocation {
  const { path, config } = loadProjectConfig(cwd)
  const root = path ? dirname(path) : resolve(cwd)
  const files = config.policy.files
  return {
    root,
    config: path,
    entries: files.map((f) => resolve(root, f)),
    defaulted: files.length === 1 && files[0] === 'policies/',
    schema: config.policy.schema ? resolve(root, config.policy.schema) : null,
  }
}

/** The files under the location's entries whose names end in `suffix`, sorted, each once. */
export function listFiles(location: PolicyLocation, suffix: string): string[] {
  const found = new Set<string>()
  for (const entry of location.entries) {
    const stat = statSync(entry, { throwIfNoEntry: false })
    if (!stat) {
      if (location.defaulted) continue
      throw usageError(
        'POLICY_FILES_MISSING',
        `${relative(location.root, entry) || entry}: no such file or directory (policy.files in ${location.config ?? 'goblin.config.json'})`,
        'Create it, or correct policy.files in goblin.config.json.',
      )
    }
    if (stat.isDirectory()) for (const file of walk(entry)) file.endsWith(suffix) && found.add(file)
    else if (entry.endsWith(suffix) || suffix === POLICY_EXTENSION) found.add(entry)
  }
  return [...found].sort()
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
}

/** Reads the policy files of a location. */
export function readPolicySources(location: PolicyLocation): PolicySource[] {
  return listFiles(location, POLICY_EXTENSION).map((path) => ({
    name: displayName(location, path),
    path,
    text: readFileSync(path, 'utf8'),
  }))
}

/** A file's name in messages and policy ids: relative to the project, with forward slashes. */
export function displayName(location: PolicyLocation, path: string): string {
  const name = relative(location.root, path)
  return (name.startsWith('..') ? path : name).split(sep).join('/')
}

/** Sizes and modification times of the policy files and their directories: what says a set changed. */
export function policyStamp(location: PolicyLocation): string {
  const parts: string[] = []
  for (const entry of location.entries) {
    const stat = statSync(entry, { throwIfNoEntry: false })
    if (!stat) continue
    const paths = stat.isDirectory() ? [entry, ...walkAll(entry)] : [entry]
    for (const p of paths) {
      const s = statSync(p, { throwIfNoEntry: false })
      if (s) parts.push(`${p}\0${s.size}\0${s.mtimeMs}\0${s.ino}`)
    }
  }
  return parts.join('\n')
}

function walkAll(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).map((d) => join(d.parentPath, d.name))
}
