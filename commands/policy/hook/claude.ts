import { Flags } from '@oclif/core'
import { GoblinCommand } from '../../../src/cli/base-command.js'
import type { ClaudeHookOutput } from '../../../src/policy/claude-hook.js'
import type { RecordedDecision } from '../../../src/policy/decision-record.js'

export default class PolicyHookClaude extends GoblinCommand {
  static override summary = 'Claude Code PreToolUse hook: decide each tool call with the Cedar policies'
  static override description =
    'Reads the PreToolUse JSON Claude Code writes on stdin, decides principal (--goblin, else goblin.id of OTEL_RESOURCE_ATTRIBUTES, else Agent::"claude-code"), action tool.call, resource Tool::"<tool_name>" with context.input the tool input, and prints the hook answer: allow, deny with the reason the model is shown, or ask (a forbid marked @ask). The decision is signed into the audit log with the session id when a signing key exists. Fails closed: any error is a deny and exit 2, which Claude Code treats as a block. goblin agent run claude --policy wires it in.'
  static override examples = [
    `echo '{"session_id":"s1","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}' | <%= config.bin %> policy hook claude --goblin researcher`,
  ]
  static override flags = {
    task: Flags.string({ description: 'the task id (default: task.id of OTEL_RESOURCE_ATTRIBUTES)' }),
    endpoint: Flags.string({
      description: 'OTLP/HTTP endpoint for the decision span (Claude Code gives hooks no OTEL_* variables)',
    }),
    goblin: Flags.string({
      description: 'the goblin id to decide for (default: goblin.id of OTEL_RESOURCE_ATTRIBUTES)',
    }),
  }

  async run(): Promise<ClaudeHookOutput> {
    const { flags } = await this.parse(PolicyHookClaude)
    const { answerClaudeHook } = await import('../../../src/policy/claude-hook.js')
    const stdin = await readStdin()
    const answer = await answerClaudeHook({
      stdin,
      goblin: flags.goblin,
      task: flags.task,
      env: process.env,
      cwd: process.cwd(),
    })
    if (answer.recorded) await this.traceDecision(answer.recorded, flags.endpoint)
    this.out(JSON.stringify(answer.output))
    if (answer.failed) {
      this.note(answer.output.hookSpecificOutput.permissionDecisionReason)
      process.exitCode = 2
    }
    return answer.output
  }

  /** The decision on goblin's command span, or on a span of its own when only --endpoint says where to send it. */
  private async traceDecision(recorded: RecordedDecision, endpoint: string | undefined): Promise<void> {
    const { recordDecisionOnSpan } = await import('../../../src/policy/decision-record.js')
    const { commandSpan, exportOneSpan } = await import('../../../src/telemetry/self-tracing.js')
    const span = commandSpan()
    if (span) recordDecisionOnSpan(span, recorded)
    else if (endpoint && process.env.TRACEPARENT)
      await exportOneSpan('goblin policy hook claude', endpoint, process.env, (s) =>
        recordDecisionOnSpan(s, recorded),
      )
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
