import { PolicyHookCommand } from '../../../src/cli/policy-hook-command.js'

export default class PolicyHookClaude extends PolicyHookCommand {
  static override summary = 'Claude Code PreToolUse hook: decide each tool call with the Cedar policies'
  static override description =
    'Reads the PreToolUse JSON Claude Code writes on stdin, decides principal (--goblin, else goblin.id of OTEL_RESOURCE_ATTRIBUTES, else Agent::"claude-code"), action tool.call, resource Tool::"<tool_name>" with context.input the tool input, and prints the hook answer: allow, deny with the reason the model is shown, or ask (a forbid marked @ask). The decision is signed into the audit log with the session id when a signing key exists. Fails closed: any error is a deny and exit 2, which Claude Code treats as a block. goblin agent run claude --policy wires it in.'
  static override examples = [
    `echo '{"session_id":"s1","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}' | <%= config.bin %> policy hook claude --goblin researcher`,
  ]
  protected readonly protocol = 'claude'
}
