import type { z } from 'zod'

/** A hook that does not answer within this time is reported and skipped. */
export const PLUGIN_HOOK_TIMEOUT_MS = 3_000

/** The slice of oclif's Config that runs hooks; structural, so src/ does not depend on oclif's types. */
export interface HookRunner {
  runHook(
    event: string,
    options: Record<string, unknown>,
    timeout?: number,
    captureErrors?: boolean,
  ): Promise<{
    successes: Array<{ plugin: { name: string }; result: unknown }>
    failures: Array<{ plugin: { name: string }; error: Error }>
  }>
}

/** Why a plugin's answer was skipped. */
export type PluginProblemKind = 'threw' | 'timeout' | 'malformed'

/** A plugin whose hook threw, timed out or answered with data that breaks the contract. */
export interface PluginProblem {
  plugin: string
  hook: string
  kind: PluginProblemKind
  message: string
}

/** The one wording of a plugin problem, for warnings and doctor: `plugin NAME: its HOOK hook was skipped: WHY`. */
export function describePluginProblem(problem: PluginProblem, options: { named?: boolean } = {}): string {
  const what = `its ${problem.hook} hook was skipped: ${problem.message}`
  return options.named === false ? what : `plugin ${problem.plugin}: ${what}`
}

export interface CollectedHook<T> {
  results: Array<{ plugin: string; value: T }>
  problems: PluginProblem[]
}

// oclif rejects a hook that outlives the timeout with exactly this message (@oclif/core Config.runHook).
const OCLIF_TIMEOUT_MESSAGE = /^Timed out after \d+ ms\.?$/

let abandoned = 0

/**
 * How many plugin hooks timed out in this process. Such a hook may still hold the event loop open
 * (a timer, a socket), so goblin's entry point ends the process once the command is done instead of
 * waiting for it.
 */
export function abandonedHookCount(): number {
  return abandoned
}

/**
 * Runs `event` in every installed plugin (concurrently, each with `timeoutMs`) and keeps only answers
 * that match `schema` (built only when a plugin answered). A plugin that throws, hangs or answers malformed data lands in `problems`, named;
 * goblin goes on without it. A plugin that answers `undefined` has nothing to say and is neither.
 */
export async function collectHook<T>(
  runner: HookRunner,
  event: string,
  schema: () => z.ZodType<T>,
  options: Record<string, unknown> = {},
  timeoutMs = PLUGIN_HOOK_TIMEOUT_MS,
): Promise<CollectedHook<T>> {
  const raw = await runner.runHook(event, options, timeoutMs, true)
  const results: CollectedHook<T>['results'] = []
  const problems: PluginProblem[] = raw.failures.map((f) => {
    const timedOut = OCLIF_TIMEOUT_MESSAGE.test(f.error.message)
    if (timedOut) abandoned += 1
    return {
      plugin: f.plugin.name,
      hook: event,
      kind: timedOut ? 'timeout' : 'threw',
      message: timedOut ? `did not answer within ${timeoutMs} ms` : `threw: ${f.error.message}`,
    }
  })
  for (const success of raw.successes) {
    if (success.result === undefined) continue
    const parsed = schema().safeParse(success.result)
    if (parsed.success) {
      results.push({ plugin: success.plugin.name, value: parsed.data })
    } else {
      const issue = parsed.error.issues[0]
      problems.push({
        plugin: success.plugin.name,
        hook: event,
        kind: 'malformed',
        message: `answered malformed data at ${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}`,
      })
    }
  }
  return { results, problems }
}
