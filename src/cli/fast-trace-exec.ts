import { userPluginsRecorded } from '../plugins/shipped-plugins.js'
import type { ExecRequest } from '../trace/exec.js'

/**
 * `goblin trace exec`'s own flags (before `--`) parsed without oclif, or null for anything oclif must answer:
 * help, an unknown or repeated flag, a flag without its value, no `--`. Accepts `--json`, `--name V`,
 * `--name=V`, `--attr V`, `--attr=V` (repeatable), as the command declares them.
 */
export function parseFastExec(argv: readonly string[]): { request: ExecRequest; json: boolean } | null {
  const separator = argv.indexOf('--')
  if (separator === -1) return null
  const [command, ...args] = argv.slice(separator + 1)
  const request: ExecRequest = { command, args, attr: undefined }
  let json = false
  const own = argv.slice(0, separator)
  for (let i = 0; i < own.length; i++) {
    const token = own[i] as string
    if (token === '--json' && !json) {
      json = true
      continue
    }
    const eq = token.indexOf('=')
    const flag = eq === -1 ? token : token.slice(0, eq)
    if (flag !== '--name' && flag !== '--attr') return null
    const value = eq === -1 ? own[++i] : token.slice(eq + 1)
    if (!value || value.startsWith('-')) return null
    if (flag === '--attr') request.attr = [...(request.attr ?? []), value]
    else if (request.name === undefined) request.name = value
    else return null
  }
  return { request, json }
}

/**
 * bin/run.js's path for `goblin trace exec` that spares loading oclif (about half of its start-up, and
 * `trace exec` wraps every step of a script). It runs only where oclif would do nothing more than the
 * command itself: no plugin is installed or linked (a plugin's hooks run around every command), no
 * GOBLIN_CONTENT_TYPE or DEBUG, the flags are plain (see parseFastExec) and the --json document goes to a
 * pipe or file (oclif colours it on a terminal). A usage or config error before the command starts is left to
 * oclif too, which reports it as always. Returns false when it did not run; then oclif runs the command.
 */
export async function fastTraceExec(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  const parsed = parseFastExec(argv)
  if (!parsed || env.GOBLIN_CONTENT_TYPE !== undefined || env.DEBUG !== undefined) return false
  if (parsed.json && process.stdout.isTTY) return false
  if (userPluginsRecorded(env)) return false
  const { prepareExec, runExec } = await import('../trace/exec.js')
  let options: Awaited<ReturnType<typeof prepareExec>>
  try {
    options = await prepareExec(parsed.request, env)
  } catch {
    return false
  }
  const note = (text: string) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`)
  try {
    const summary = await runExec(options, note)
    if (parsed.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
  } catch (error) {
    // As the command's catch does (GoblinCommand): goblin's error output and exit code.
    const { toGoblinError, writeError } = await import('./error-output.js')
    process.exitCode = writeError(toGoblinError(error), parsed.json, error)
  }
  return true
}
