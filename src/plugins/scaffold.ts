import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { ExitCode, GoblinError, usageError } from '../core/errors.js'
import { type PluginNames, pluginNames } from './plugin-names.js'

/** The placeholders `templates/plugin` uses in file contents and paths. */
export const TEMPLATE_TOKENS = {
  __PLUGIN_PACKAGE__: 'packageName',
  __PLUGIN_TOPIC__: 'topic',
  __PLUGIN_ENV__: 'envPrefix',
} as const satisfies Record<string, keyof PluginNames>

/**
 * Files the template stores under another name: npm drops a package's `.gitignore` when goblin itself
 * is published, so the template keeps it as `gitignore`.
 */
const RENAMED_FILES: Record<string, string> = { gitignore: '.gitignore' }

/** Replaces every template placeholder in `text` with the plugin's names. */
export function fillTemplate(text: string, names: PluginNames): string {
  let filled = text
  for (const [token, field] of Object.entries(TEMPLATE_TOKENS))
    filled = filled.replaceAll(token, names[field])
  return filled
}

export interface ScaffoldResult {
  directory: string
  packageName: string
  topic: string
  /** The example command, as typed after `goblin`. */
  command: string
  /** The files written, relative to `directory`, sorted. */
  files: string[]
}

/**
 * Writes a new plugin from `templateDir` into `parentDir/<directoryName>`, placeholders filled in.
 * Refuses a name that is invalid or clashes with `taken`, and a target directory that is not empty.
 */
export async function scaffoldPlugin(options: {
  name: string
  parentDir: string
  templateDir: string
  taken?: Iterable<string>
}): Promise<ScaffoldResult> {
  const names = pluginNames(options.name, options.taken)
  const directory = resolve(options.parentDir, names.directoryName)
  if (existsSync(directory) && (await readdir(directory)).length > 0) {
    throw usageError(
      'PLUGIN_DIR_NOT_EMPTY',
      `${directory} already exists and is not empty`,
      'Choose another name or parent directory (--dir), or remove that directory first.',
    )
  }
  const templateFiles = await listFiles(options.templateDir)
  const files: string[] = []
  for (const source of templateFiles) {
    const relativePath = relative(options.templateDir, source)
    const parts = relativePath.split(sep).map((part) => RENAMED_FILES[part] ?? fillTemplate(part, names))
    const target = join(directory, ...parts)
    await mkdir(dirname(target), { recursive: true })
    await writeFile(target, fillTemplate(await readFile(source, 'utf8'), names))
    files.push(parts.join('/'))
  }
  return {
    directory,
    packageName: names.packageName,
    topic: names.topic,
    command: `${names.topic} hello`,
    files: files.sort(),
  }
}

async function listFiles(templateDir: string): Promise<string[]> {
  const exists = await stat(templateDir).then(
    (s) => s.isDirectory(),
    () => false,
  )
  if (!exists) {
    throw new GoblinError('PLUGIN_TEMPLATE_MISSING', `the plugin template is missing at ${templateDir}`, {
      hint: 'Reinstall goblin: its package ships templates/plugin.',
      exit: ExitCode.notOk,
    })
  }
  const entries = await readdir(templateDir, { recursive: true, withFileTypes: true })
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name))
}
