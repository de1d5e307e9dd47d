import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { userPluginsRecorded } from '../plugins/shipped-plugins.js'
import type { CommandConfig } from './base-command.js'

/** What lean-run reads of oclif.manifest.json: each command's file and what decides its argv. */
interface ManifestCommand {
  relativePath: string[]
  strict?: boolean
  args?: Record<string, unknown>
  /** `deprecated` marks a command whose use oclif warns about, as it does for deprecated flags. */
  state?: string
  flags?: Record<string, { deprecated?: unknown }>
}

interface PackageJson {
  version: string
  oclif: {
    bin: string
    hooks: Record<'prerun' | 'finally', string>
    topics?: Record<string, { description?: string; hidden?: boolean }>
    additionalHelpFlags?: string[]
  }
}

/** A command of goblin's manifest that argv names, with the argv that is the command's own. */
export interface LeanCommand {
  id: string
  command: ManifestCommand
  argv: string[]
}

/**
 * The goblin command `argv` names the way oclif finds it (topic words separated by spaces, as far as they spell
 * a command or a topic, up to the first flag), or null wherever oclif's own answer could differ: no such
 * command (oclif suggests one, or shows a topic's help), help asked for, a word after a command that takes no
 * arguments (oclif reads it as part of the name and answers "not found"), the `plugins` topic, whose
 * commands need every plugin's commands loaded, or a deprecated command or flag (oclif warns of it).
 */
export function findLeanCommand(
  argv: readonly string[],
  commands: Record<string, ManifestCommand>,
  helpFlags: readonly string[],
): LeanCommand | null {
  const end = argv.indexOf('--')
  if (argv.slice(0, end === -1 ? argv.length : end).some((arg) => helpFlags.includes(arg))) return null
  const usable = new Set(
    Object.keys(commands).flatMap((id) =>
      id.split(':').map((_, i, parts) => parts.slice(0, i + 1).join(':')),
    ),
  )
  const isWord = (arg: string) => !arg.startsWith('-') && !arg.includes('=')
  let id = ''
  let words = 0
  for (const arg of argv) {
    const longer = id ? `${id}:${arg}` : arg
    if (!isWord(arg) || !usable.has(longer)) break
    id = longer
    words++
  }
  const command = commands[id]
  if (!command || id === 'plugins' || id.startsWith('plugins:')) return null
  // oclif's deprecation warnings are not repeated here: such a command goes through oclif.
  if (command.state === 'deprecated' || Object.values(command.flags ?? {}).some((flag) => flag.deprecated))
    return null
  const next = argv[words]
  const takesWords = command.strict === false || Object.keys(command.args ?? {}).length > 0
  if (next !== undefined && isWord(next) && !takesWords) return null
  return { id, command, argv: argv.slice(words) }
}

/**
 * bin/run.js's path for goblin's own commands where oclif would add nothing but its start-up (loading its
 * config and every plugin's manifest, about 40 ms): no plugin is installed or linked (a plugin's hooks run
 * around every command), no DEBUG (oclif's own debug output), no --json document for a terminal (oclif colours
 * it by the user's theme), and argv names a command as findLeanCommand finds it. The command runs as oclif
 * runs it: goblin's prerun hook, the command (GoblinCommand keeps oclif's lifecycle and parser), goblin's
 * finally hook, an exit request as the process's exit code. goblin's init hook is not run: it answers only
 * topics. Returns false when it did not run; then oclif runs the command.
 */
export async function leanRun(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  root: string,
): Promise<boolean> {
  if (userPluginsRecorded(env) || env.DEBUG !== undefined) return false
  const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson
  const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')) as {
    version: string
    commands: Record<string, ManifestCommand>
  }
  // oclif warns about a manifest of another version and ignores it.
  if (manifest.version !== pjson.version) return false
  const found = findLeanCommand(argv, manifest.commands, [
    '--help',
    ...(pjson.oclif.additionalHelpFlags ?? []),
  ])
  if (!found) return false
  const { jsonRequested, toGoblinError, writeError } = await import('./error-output.js')
  if (jsonRequested(argv, env) && process.stdout.isTTY) return false

  const config = leanConfig(pjson, Object.keys(manifest.commands), root, env)
  const { ExitError } = await import('@oclif/core/errors')
  // goblin's own hooks, given what oclif gives them (they read nothing of oclif's hook context).
  const hook = async (name: 'prerun' | 'finally', options: Record<string, unknown>) => {
    const file = join(root, pjson.oclif.hooks[name])
    const run = (await import(pathToFileURL(file).href)).default as (options: object) => Promise<unknown>
    await run({ ...options, config })
  }
  const file = pathToFileURL(join(root, ...found.command.relativePath)).href
  const Command = (await import(file)).default as {
    id: string
    run(argv: string[], config: CommandConfig): Promise<unknown>
  }
  // What oclif sets on a command class it loads.
  Command.id = found.id
  // What oclif's command module does as it loads: stdout closed early (`goblin … | head`) ends the output
  // quietly, not with a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
  })
  let failure: unknown
  try {
    await hook('prerun', { argv: found.argv, Command })
    await Command.run(found.argv, config)
  } catch (error) {
    failure = error
  }
  await hook('finally', { argv: found.argv, Command, error: failure, id: found.id })
  if (failure instanceof ExitError) process.exit(failure.oclif.exit)
  if (failure !== undefined)
    process.exitCode = writeError(toGoblinError(failure), jsonRequested(argv, env), failure)
  return true
}

/** What a command reads of oclif's Config, for a run with no plugin but goblin. */
function leanConfig(
  pjson: PackageJson,
  commandIDs: string[],
  root: string,
  env: NodeJS.ProcessEnv,
): CommandConfig {
  const { bin } = pjson.oclif
  return {
    bin,
    version: pjson.version,
    root,
    // No plugin but goblin's own, whose hooks lean-run runs itself: nothing answers a plugin hook.
    plugins: new Map(),
    runHook: async () => ({ successes: [], failures: [] }),
    // goblin's own commands and topics: the `plugins` topic, where the other plugins' names matter, never
    // runs lean.
    commandIDs,
    topics: Object.entries(pjson.oclif.topics ?? {}).map(([name, topic]) => ({ name, ...topic })),
    scopedEnvVar: (name: string) => env[`${bin.toUpperCase()}_${name}`],
    theme: undefined,
  } as unknown as CommandConfig
}
