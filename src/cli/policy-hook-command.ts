import * as Flags from '@oclif/core/flags'
import type { RecordedDecision } from '../policy/decision-record.js'
import type { HOOK_PROTOCOLS } from '../policy/tool-hook.js'
import { GoblinCommand } from './base-command.js'

/**
 * The base of `goblin policy hook claude|gemini|codex`: reads the agent's JSON from stdin, answers it with the
 * policies (src/policy/tool-hook.ts), records the decision on a span, and exits 2 when it failed closed.
 */
export abstract class PolicyHookCommand extends GoblinCommand {
  static override flags = {
    goblin: Flags.string({
      description: 'the goblin id to decide for (default: goblin.id of OTEL_RESOURCE_ATTRIBUTES)',
    }),
    task: Flags.string({ description: 'the task id (default: task.id of OTEL_RESOURCE_ATTRIBUTES)' }),
    endpoint: Flags.string({
      description: 'OTLP/HTTP endpoint for the decision span (agents give hooks no OTEL_* variables)',
    }),
  }

  /** Which agent's protocol this command speaks. */
  protected abstract readonly protocol: keyof typeof HOOK_PROTOCOLS

  async run(): Promise<object> {
    const { flags } = await this.parse(this.constructor as typeof PolicyHookCommand)
    const { answerToolHook, HOOK_PROTOCOLS } = await import('../policy/tool-hook.js')
    const answer = await answerToolHook({
      protocol: HOOK_PROTOCOLS[this.protocol],
      stdin: await readStdin(),
      goblin: flags.goblin,
      task: flags.task,
      env: process.env,
      cwd: process.cwd(),
    })
    if (answer.recorded) await traceDecision(answer.recorded, flags.endpoint)
    this.out(JSON.stringify(answer.output))
    if (answer.failed) {
      this.note(answer.reason)
      process.exitCode = 2
    }
    return answer.output
  }
}

/** The decision on goblin's command span, or on a span of its own when only --endpoint says where to send it. */
async function traceDecision(recorded: RecordedDecision, endpoint: string | undefined): Promise<void> {
  const { recordDecisionOnSpan } = await import('../policy/decision-record.js')
  const { commandSpan, exportOneSpan } = await import('../telemetry/self-tracing.js')
  const span = commandSpan()
  if (span) recordDecisionOnSpan(span, recorded)
  else if (endpoint && process.env.TRACEPARENT)
    await exportOneSpan('goblin policy hook', endpoint, process.env, (s) => recordDecisionOnSpan(s, recorded))
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
