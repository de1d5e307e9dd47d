import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { RUNTIME_CHOICES } from '../../src/stack/runtime-select.js'
import { stackDown } from '../../src/stack/stack-down.js'
import type { StackDownReport } from '../../src/stack/stack-report.js'

export default class StackDown extends GoblinCommand {
  static override summary = 'Stop the stack and remove what goblin started'
  static override description =
    "Stops and removes only goblin's own containers (by label) and network, or the embedded collector; with --volumes also the stack's data volumes (and the embedded collector's log). Says what it removed."
  static override examples = ['<%= config.bin %> stack down', '<%= config.bin %> stack down --volumes']
  static override flags = {
    volumes: Flags.boolean({
      description: "also remove the stack's volumes (its stored traces, logs, metrics, dashboards state)",
    }),
    runtime: Flags.option({
      options: RUNTIME_CHOICES,
      description: 'stop only this runtime (default: both)',
    })(),
  }

  async run(): Promise<StackDownReport> {
    const { flags } = await this.parse(StackDown)
    const report = await stackDown({ runtime: flags.runtime, volumes: flags.volumes })
    if (report.removed.length === 0) this.out("Nothing to stop: goblin's stack was not running.")
    else this.out(`Removed:\n${report.removed.map((r) => `  ${r}`).join('\n')}`)
    if (report.kept.length > 0)
      this.out(`Kept (remove with --volumes):\n${report.kept.map((k) => `  ${k}`).join('\n')}`)
    return report
  }
}
