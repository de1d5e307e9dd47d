import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { execa, type Options } from 'execa'

export const REPO_ROOT = resolve(import.meta.dirname, '../..')
export const GOBLIN_BIN = join(REPO_ROOT, 'bin/run.js')

export interface GoblinRun {
  exitCode: number
  stdout: string
  stderr: string
}

/** Runs the built CLI as a user would (`node bin/run.js ...`), never throwing on a non-zero exit. */
export async function runGoblin(
  args: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; input?: string; timeout?: number } = {},
): Promise<GoblinRun> {
  const execaOptions: Options = {
    cwd: options.cwd ?? REPO_ROOT,
    env: { NO_COLOR: '1', CI: 'true', ...options.env },
    input: options.input,
    reject: false,
    timeout: options.timeout ?? 60_000,
  }
  const result = await execa(process.execPath, [GOBLIN_BIN, ...args], execaOptions)
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) }
}

/** Parses stdout as the one JSON document `--json` promises. */
export function parseJson<T = unknown>(run: GoblinRun): T {
  try {
    return JSON.parse(run.stdout) as T
  } catch {
    throw new Error(`stdout is not one JSON document:\n${run.stdout}\nstderr:\n${run.stderr}`)
  }
}

/** A fresh temporary directory (for GOBLIN_HOME or a project); remove it with the returned cleanup. */
export function tempDir(prefix = 'goblin-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) }
}

/**
 * Runs goblin with a load hook (as a user could add with --import) that records every module it loads;
 * GOBLIN_HOME is a fresh directory unless `env` names one.
 */
export async function runRecordingLoads(args: string[], env: Record<string, string> = {}) {
  const dir = tempDir('goblin-loads-')
  try {
    const hook = join(dir.path, 'loaded.mjs')
    const list = join(dir.path, 'loaded.txt')
    writeFileSync(
      hook,
      `import module from 'node:module'; import { appendFileSync } from 'node:fs'
module.registerHooks({ load(url, context, next) { appendFileSync(${JSON.stringify(list)}, url + '\\n'); return next(url, context) } })`,
    )
    const run = await runGoblin(args, {
      env: { GOBLIN_HOME: dir.path, NODE_OPTIONS: `--import=${pathToFileURL(hook).href}`, ...env },
    })
    return { run, loaded: readFileSync(list, 'utf8').split('\n') }
  } finally {
    dir.cleanup()
  }
}
