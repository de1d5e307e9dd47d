import { STACK_SERVICES_HOOK, stackServicesAnswer } from '../plugins/contracts.js'
import { collectHook, describePluginProblem, type HookRunner } from '../plugins/hook-runner.js'
import { stackAssetsDir } from './package-root.js'
import { type BuiltPlan, buildStackPlan } from './plan-builder.js'
import { loadStackConfig } from './stack-settings.js'

export interface StackPlanOptions {
  /** Runs plugins' `goblin:stack-services` hooks; without it, only goblin's services are planned. */
  hooks?: HookRunner
  /** Passed to the hook as `{ stage }` (`local` for `stack up`). */
  stage?: string
  imageFlags?: string[]
  cwd?: string
  env?: NodeJS.ProcessEnv
}

/**
 * The stack plan for this project: goblin's services, plugin services, and the overrides from
 * goblin.config.json and `--image`. A plugin whose hook fails or answers malformed data becomes a warning.
 */
export async function planStack(options: StackPlanOptions = {}): Promise<BuiltPlan> {
  const config = loadStackConfig(options.cwd ?? process.cwd())
  const collected = options.hooks
    ? await collectHook(options.hooks, STACK_SERVICES_HOOK, stackServicesAnswer, {
        stage: options.stage ?? 'local',
      })
    : { results: [], problems: [] }
  const built = buildStackPlan({
    config,
    imageFlags: options.imageFlags,
    pluginServices: collected.results.map((r) => ({ plugin: r.plugin, services: r.value.services })),
    env: options.env ?? process.env,
    assetsDir: stackAssetsDir(),
  })
  const problems = collected.problems.map((p) => describePluginProblem(p))
  return { plan: built.plan, warnings: [...problems, ...built.warnings] }
}
