import { usageError } from '../core/errors.js'
import { goblinHome } from '../core/paths.js'
import { DOCTOR_CHECKS_HOOK, doctorChecksAnswer } from '../plugins/contracts.js'
import { collectHook, describePluginProblem, type HookRunner } from '../plugins/hook-runner.js'
import { builtinChecks } from './builtin-checks.js'
import type { CheckResult, DoctorSummary } from './check.js'
import { runChecks, summarize } from './registry.js'

export interface DoctorReport {
  checks: CheckResult[]
  summary: DoctorSummary
}

/**
 * Runs goblin's checks and every plugin's (`goblin:doctor-checks`), optionally only those in `only`.
 * A plugin whose hook throws, hangs or answers malformed data shows up as a warning check named for it.
 */
export async function runDoctor(options: {
  hooks: HookRunner
  only?: string[]
  env?: NodeJS.ProcessEnv
  cwd?: string
}): Promise<DoctorReport> {
  const env = options.env ?? process.env
  const only = options.only && options.only.length > 0 ? new Set(options.only) : null
  const context = { env, cwd: options.cwd ?? process.cwd(), goblinHome: goblinHome(env) }
  const [builtin, plugins] = await Promise.all([
    runChecks(
      builtinChecks.filter((c) => !only || only.has(c.id)),
      context,
    ),
    collectHook(options.hooks, DOCTOR_CHECKS_HOOK, doctorChecksAnswer, { env }),
  ])
  const fromPlugins: CheckResult[] = plugins.results.flatMap(({ plugin, value }) =>
    value.checks.map((check) => ({ ...check, source: plugin })),
  )
  const pluginProblems: CheckResult[] = plugins.problems.map((problem) => ({
    id: `plugin:${problem.plugin}`,
    title: `Plugin ${problem.plugin}`,
    status: 'warn',
    detail: describePluginProblem(problem, { named: false }),
    fix: `Update or uninstall the plugin: goblin plugins uninstall ${problem.plugin}`,
    source: problem.plugin,
  }))
  const checks = [...builtin, ...[...fromPlugins, ...pluginProblems].filter((c) => !only || only.has(c.id))]
  if (only) {
    const unknown = [...only].filter((id) => !checks.some((c) => c.id === id))
    if (unknown.length > 0) {
      const known = [...builtinChecks.map((c) => c.id), ...fromPlugins.map((c) => c.id)]
      throw usageError(
        'DOCTOR_UNKNOWN_CHECK',
        `unknown check id: ${unknown.join(', ')}`,
        `Known checks: ${known.join(', ')}.`,
      )
    }
  }
  return { checks, summary: summarize(checks) }
}
