import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { ExitCode } from '../../src/core/errors.js'
import { RUNTIME_CHOICES } from '../../src/stack/runtime-select.js'
import type { StackStatusReport } from '../../src/stack/stack-report.js'
import { isStackHealthy, stackStatus } from '../../src/stack/stack-status.js'

export default class StackStatus extends GoblinCommand {
  static override summary = 'Show each service of the stack: state, health, ports, uptime, image'
  static override description =
    "Looks at the embedded collector and, when an engine answers, at goblin's containers. Exits 1 when nothing runs or a service is not running and healthy."
  static override examples = ['<%= config.bin %> stack status', '<%= config.bin %> stack status --json']
  static override flags = {
    runtime: Flags.option({
      options: RUNTIME_CHOICES,
      description: 'look only at this runtime (default: both)',
    })(),
  }

  async run(): Promise<StackStatusReport> {
    const { flags } = await this.parse(StackStatus)
    const report = await stackStatus({ runtime: flags.runtime })
    if (!this.jsonEnabled()) {
      if (report.services.length === 0) {
        this.out('The stack is not running. Start it with: goblin stack up')
      } else {
        const { renderServices, renderUrls } = await import('../../src/ui/stack-report.js')
        this.out(renderServices(report.services, this.stdoutFacts))
        if (report.urls.length > 0) this.out(`\n${renderUrls(report.urls)}`)
      }
    }
    if (!isStackHealthy(report)) process.exitCode = ExitCode.notOk
    return report
  }
}
