import type { InstalledAgent } from '../../src/agents/installed.js'
import { GoblinCommand } from '../../src/cli/base-command.js'

export default class AgentList extends GoblinCommand {
  static override summary = 'Show which coding agents are installed, and their versions'
  static override description =
    'Looks for claude, codex and gemini on PATH, then in node_modules/.bin from the working directory upward, then in goblin’s own node_modules/.bin, and asks each found one for its version.'
  static override examples = ['<%= config.bin %> agent list', '<%= config.bin %> agent list --json']

  async run(): Promise<{ agents: InstalledAgent[] }> {
    await this.parse(AgentList)
    const { listAgents } = await import('../../src/agents/installed.js')
    const agents = await listAgents(process.env, process.cwd())
    const { formatAgentList } = await import('../../src/ui/agent-run.js')
    this.out(formatAgentList(agents))
    return { agents }
  }
}
