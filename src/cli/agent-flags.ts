import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { AGENT_IDS } from '../agents/agents.js'
import { loadProjectConfig } from '../core/config.js'
import { parseHttpUrl } from '../core/http-url.js'
import { goblinHome } from '../core/paths.js'

/** The agent argument of `goblin agent run|env`. */
export const agentArg = Args.string({
  description: `the coding agent: ${AGENT_IDS.join(', ')}`,
  required: true,
  options: [...AGENT_IDS],
})

/** Flags `goblin agent run` and `goblin agent env` share: the labels and where telemetry goes. */
export const agentFlags = {
  goblin: Flags.string({ description: 'goblin id the agent’s telemetry is labelled with (goblin.id)' }),
  task: Flags.string({ description: 'task id (task.id); run: default a fresh run-<hex> id per run' }),
  endpoint: Flags.string({
    description:
      'the collector’s OTLP/HTTP base URL (default: the running collector, else goblin.config.json)',
  }),
}

/** The collector's OTLP/HTTP base URL: --endpoint, else the running embedded collector, else the configured one. */
export async function agentEndpoint(flag: string | undefined): Promise<string> {
  if (flag) return parseHttpUrl(flag, '--endpoint').toString().replace(/\/+$/, '')
  const { collectorUrl } = await import('../trace/endpoints.js')
  return collectorUrl(goblinHome(), loadProjectConfig().config)
}
