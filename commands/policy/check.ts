import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { ExitCode } from '../../src/core/errors.js'
import type { PolicyCheck } from '../../src/policy/check.js'

export default class PolicyCheckCommand extends GoblinCommand {
  static override summary = 'Decide one request with the project’s Cedar policies; exit 0 allow, 1 deny'
  static override description =
    'Evaluates principal, action and resource (and --context) against the Cedar policies of policy.files in goblin.config.json (default policies/). Prints the decision, the policies that determined it, and any policy that failed to evaluate. A bare principal is a Goblin, a bare resource takes the action’s type (tool.call: Tool, llm.call: Model, memory.write: Memory, deploy: Stage). context.time is now unless given; context.cost is measured from the cost envelopes when a policy reads it. Exits 0 on allow, 1 on deny, 2 on bad input.'
  static override examples = [
    '<%= config.bin %> policy check --principal researcher --action tool.call --resource Bash --context \'{"input":{"command":"ls"}}\'',
    '<%= config.bin %> policy check --principal \'Goblin::"deployer"\' --action deploy --resource \'Stage::"prod"\' --json',
  ]
  static override flags = {
    principal: Flags.string({
      description: 'who asks: Goblin::"id", Agent::"claude-code", or a bare goblin id',
      required: true,
    }),
    action: Flags.string({
      description: 'what: tool.call, llm.call, memory.write, deploy (or Action::"id")',
      required: true,
    }),
    resource: Flags.string({
      description: 'on what: Tool::"Bash", Model::"gpt-4o", Stage::"prod", or a bare id',
      required: true,
    }),
    context: Flags.string({
      description: 'the request context as a JSON object (input, task, trace_id, time, ...)',
    }),
  }

  async run(): Promise<PolicyCheck> {
    const { flags } = await this.parse(PolicyCheckCommand)
    const { checkPolicy } = await import('../../src/policy/check.js')
    const check = await checkPolicy({ ...flags, cwd: process.cwd() })
    this.out(`${check.decision}: ${check.principal} ${check.action} ${check.resource}`)
    for (const reason of check.reasons) this.out(`  ${reason}`)
    for (const error of check.errors) this.note(`warning: ${error.policyId} did not apply: ${error.message}`)
    if (check.decision === 'deny') process.exitCode = ExitCode.notOk
    return check
  }
}
