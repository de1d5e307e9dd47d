import * as Flags from '@oclif/core/flags'
import { agentById } from '../../src/agents/agents.js'
import type { AgentRunResult } from '../../src/agents/run-agent.js'
import { agentArg, agentEndpoint, agentFlags } from '../../src/cli/agent-flags.js'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { goblinHome } from '../../src/core/paths.js'

export default class AgentRun extends GoblinCommand {
  static override summary = 'Run a coding agent with its telemetry sent to goblin'
  static override description =
    "Runs Claude Code, Codex CLI or Gemini CLI with ARGS (everything after --), its OpenTelemetry logs, metrics and traces sent to the collector and labelled with goblin.id and task.id, inside one goblin span whose TRACEPARENT the agent gets. The agent's own configuration files are not touched: goblin sets environment variables (Claude Code, Gemini CLI) or -c overrides (Codex). Exits with the agent's exit code and prints one line on stderr: calls, tokens, USD, task and trace id."
  static override examples = [
    '<%= config.bin %> agent run claude -- -p "fix the failing test"',
    '<%= config.bin %> agent run codex --goblin review-bot -- exec "summarize the diff"',
    '<%= config.bin %> agent run gemini --task ticket-1234 -- -p "explain src/app.ts"',
    '<%= config.bin %> agent run claude --policy -- -p "clean up the build"',
    '<%= config.bin %> agent run codex --policy --goblin review-bot -- exec "tidy the imports"',
  ]
  static override args = { agent: agentArg }
  static override flags = {
    ...agentFlags,
    policy: Flags.boolean({
      description:
        'Claude Code, Codex CLI: check every tool call with goblin policy hook claude|codex (a PreToolUse hook given by --settings or -c; refused for Gemini CLI)',
    }),
  }

  async run(): Promise<AgentRunResult> {
    // Everything after `--` belongs to the agent, verbatim: goblin parses only what comes before it.
    // (Copied first: parsing truncates this.argv at the separator.)
    const argv = [...this.argv]
    const separator = argv.indexOf('--')
    const { args, flags } = await this.parse(AgentRun, separator === -1 ? argv : argv.slice(0, separator))
    const { runAgent } = await import('../../src/agents/run-agent.js')
    const result = await runAgent({
      agent: agentById(args.agent),
      args: separator === -1 ? [] : argv.slice(separator + 1),
      goblin: flags.goblin,
      task: flags.task,
      policy: flags.policy,
      endpoint: await agentEndpoint(flags.endpoint),
      env: process.env,
      cwd: process.cwd(),
      home: goblinHome(),
      stdoutToStderr: this.jsonEnabled(),
    })
    if (!this.jsonEnabled()) {
      const { formatRunLine } = await import('../../src/ui/agent-run.js')
      this.note(formatRunLine(result))
    }
    process.exitCode = result.exitCode
    return result
  }
}
