import { PolicyHookCommand } from '../../../src/cli/policy-hook-command.js'

export default class PolicyHookGemini extends PolicyHookCommand {
  static override summary = 'Gemini CLI BeforeTool hook: decide each tool call with the Cedar policies'
  static override description =
    'Reads the BeforeTool JSON Gemini CLI writes on stdin, decides principal (--goblin, else goblin.id of OTEL_RESOURCE_ATTRIBUTES, else Agent::"gemini-cli"), action tool.call, resource Tool::"<tool_name>" with context.input the tool input, and prints the hook answer: {"decision": "allow"|"deny"|"ask", "reason"}. The decision is signed into the audit log with the session id when a signing key exists. Fails closed: any error is a deny and exit 2, which Gemini CLI treats as a block. Gemini CLI runs hooks only from your user or workspace settings.json (hooks.BeforeTool): goblin agent run does not write them for you.'
  static override examples = [
    `echo '{"session_id":"s1","hook_event_name":"BeforeTool","tool_name":"run_shell_command","tool_input":{"command":"ls"}}' | <%= config.bin %> policy hook gemini --goblin researcher`,
  ]
  protected readonly protocol = 'gemini'
}
