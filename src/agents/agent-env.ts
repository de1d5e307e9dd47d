import type { AgentInfo } from './agents.js'
import { type AgentTelemetry, agentTelemetry, checkLabel, codexConfigToml } from './telemetry-setup.js'

/** What `goblin agent env` prints: the settings to apply by hand, for interactive sessions. */
export interface AgentEnv extends AgentTelemetry {
  agent: AgentInfo['id']
  endpoint: string
  /** Codex: the `[otel]` section for `~/.codex/config.toml`, the lasting form of the `-c` overrides. */
  configToml?: string
  /** The lines to paste: `export` / `unset` for a POSIX shell, and Codex's config section. */
  text: string
}

/** The settings `goblin agent run` would apply, as shell lines (and Codex's config section). */
export function agentEnv(
  agent: AgentInfo,
  options: { endpoint: string; goblin?: string; task?: string; env: NodeJS.ProcessEnv },
): AgentEnv {
  const telemetry = agentTelemetry(
    agent.id,
    {
      endpoint: options.endpoint,
      goblin: checkLabel('--goblin', options.goblin),
      task: checkLabel('--task', options.task),
    },
    options.env,
  )
  // Only what is set here needs unsetting; the rest would be noise to paste.
  const unset = telemetry.unset.filter((name) => options.env[name] !== undefined)
  const shell = [
    ...(unset.length > 0 ? [`unset ${unset.join(' ')}`] : []),
    ...Object.entries(telemetry.env).map(([name, value]) => `export ${name}=${shellQuote(value)}`),
  ]
  if (agent.id !== 'codex')
    return { agent: agent.id, endpoint: options.endpoint, ...telemetry, text: `${shell.join('\n')}\n` }
  const configToml = codexConfigToml(options.endpoint)
  const text = [
    '# ~/.codex/config.toml (or pass these as codex -c key=value, as goblin agent run does)',
    configToml,
    ...(shell.length > 0 ? ['# shell: the goblin and task labels', ...shell, ''] : []),
  ].join('\n')
  return { agent: agent.id, endpoint: options.endpoint, ...telemetry, configToml, text }
}

/** A POSIX shell single-quoted word. */
function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`
}
