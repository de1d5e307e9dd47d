import type { AgentEnv } from '../../src/agents/agent-env.js'
import { agentById } from '../../src/agents/agents.js'
import { agentArg, agentEndpoint, agentFlags } from '../../src/cli/agent-flags.js'
import { GoblinCommand } from '../../src/cli/base-command.js'

export default class AgentEnvCommand extends GoblinCommand {
  static override summary = 'Print the settings that send a coding agent’s telemetry to goblin'
  static override description =
    'For interactive sessions: the export lines (Claude Code, Gemini CLI) or the ~/.codex/config.toml [otel] section (Codex CLI) that goblin agent run applies for one run. Paste them into your shell, or eval them: eval "$(goblin agent env claude)".'
  static override examples = [
    '<%= config.bin %> agent env claude',
    'eval "$(<%= config.bin %> agent env gemini --goblin my-laptop)"',
    '<%= config.bin %> agent env codex >> ~/.codex/config.toml',
  ]
  static override args = { agent: agentArg }
  static override flags = agentFlags

  async run(): Promise<AgentEnv> {
    const { args, flags } = await this.parse(AgentEnvCommand)
    const { agentEnv } = await import('../../src/agents/agent-env.js')
    const result = agentEnv(agentById(args.agent), {
      endpoint: await agentEndpoint(flags.endpoint),
      goblin: flags.goblin,
      task: flags.task,
      env: process.env,
    })
    if (!this.jsonEnabled()) process.stdout.write(result.text)
    return result
  }
}
