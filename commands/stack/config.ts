import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { redactPlan } from '../../src/stack/plan-builder.js'
import { planStack } from '../../src/stack/stack-config.js'
import type { StackPlan } from '../../src/stack/stack-plan.js'

export default class StackConfig extends GoblinCommand {
  static override summary =
    "Print the stack plan: each service's image, ports, mounts, env, volumes and health check"
  static override description =
    "The plan `goblin stack up --runtime docker` runs: goblin's services with the configuration files from its stack/ directory, services plugins add (goblin:stack-services), and image and port overrides from goblin.config.json (stack.images, stack.ports) and --image. Secret env values print as ***."
  static override examples = [
    '<%= config.bin %> stack config',
    '<%= config.bin %> stack config --json --image grafana=grafana/grafana:11.4.0',
  ]
  static override flags = {
    image: Flags.string({
      description: 'run SERVICE with this image (SERVICE=REF, repeatable)',
      multiple: true,
    }),
  }

  async run(): Promise<StackPlan & { warnings: string[] }> {
    const { flags } = await this.parse(StackConfig)
    const built = await planStack({ hooks: this.config, imageFlags: flags.image })
    for (const warning of built.warnings) this.note(`warning: ${warning}`)
    const plan = redactPlan(built.plan)
    if (!this.jsonEnabled()) {
      const { renderPlan } = await import('../../src/ui/stack-plan.js')
      this.out(renderPlan(plan, this.stdoutFacts))
    }
    return { ...plan, warnings: built.warnings }
  }
}
