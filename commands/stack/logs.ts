import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { stopOnSignals } from '../../src/cli/signals.js'
import { usageError } from '../../src/core/errors.js'
import { RUNTIME_CHOICES } from '../../src/stack/runtime-select.js'
import { stackLogs } from '../../src/stack/stack-logs.js'

export default class StackLogs extends GoblinCommand {
  static override summary = "Print a service's logs"
  static override description =
    'SERVICE is a name from goblin stack status (the embedded runtime\'s is "collector"). --since takes a duration (10m, 1h30m) or an RFC 3339 time. --follow keeps printing until the service stops or Ctrl-C.'
  static override examples = [
    '<%= config.bin %> stack logs collector --since 10m',
    '<%= config.bin %> stack logs grafana --follow',
  ]
  static override args = { service: Args.string({ required: true, description: 'the service' }) }
  static override flags = {
    follow: Flags.boolean({ char: 'f', description: 'keep printing new lines' }),
    since: Flags.string({ description: 'only lines since this duration ago or time' }),
    tail: Flags.integer({ min: 0, description: 'only the last N lines' }),
    runtime: Flags.option({ options: RUNTIME_CHOICES, description: 'the runtime the service runs in' })(),
  }

  async run(): Promise<{ service: string; runtime: string; lines: string[] }> {
    const { args, flags } = await this.parse(StackLogs)
    if (flags.follow && this.jsonEnabled()) {
      throw usageError('LOGS_FOLLOW_JSON', '--follow cannot be combined with --json', 'Drop one of them.')
    }
    const logs = await stackLogs({
      service: args.service,
      since: flags.since,
      tail: flags.tail,
      runtime: flags.runtime,
    })
    for (const line of logs.lines) this.out(line)
    if (flags.follow) {
      using stop = stopOnSignals()
      for await (const line of logs.follow(stop.signal)) this.out(line)
    }
    return { service: logs.service, runtime: logs.runtime, lines: logs.lines }
  }
}
