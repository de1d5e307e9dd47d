import { PolicyHookCommand } from '../../../src/cli/policy-hook-command.js'

export default class PolicyHookCodex extends PolicyHookCommand {
  static override summary = 'Codex CLI PreToolUse hook: decide each tool call with the Cedar policies'
  static override description =
    'Reads the PreToolUse JSON Codex CLI writes on stdin, decides principal (--goblin, else goblin.id of OTEL_RESOURCE_ATTRIBUTES, else Agent::"codex"), action tool.call, resource Tool::"<tool_name>" (Bash for its shell tool) with context.input the tool input, and prints the hook answer: nothing to say ({}) for an allow, or a deny with the reason the model is shown. Codex hooks cannot ask, so a forbid marked @ask is a deny. The decision is signed into the audit log with the session id when a signing key exists. Fails closed: any error is a deny, exit 2 and the reason on stderr, which Codex treats as a block. goblin agent run codex --policy wires it in.'
  static override examples = [
    `echo '{"session_id":"s1","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}' | <%= config.bin %> policy hook codex --goblin researcher`,
  ]
  protected readonly protocol = 'codex'
}
