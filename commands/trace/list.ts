import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { backendFlags, backendFrom } from '../../src/cli/trace-flags.js'
import { goblinHome } from '../../src/core/paths.js'
import type { TraceList } from '../../src/trace/trace-queries.js'

export default class TraceListCommand extends GoblinCommand {
  static override summary = 'List recent traces'
  static override description =
    'A table of recent traces, newest first: id, root span, service, start, duration, span count, errors and cost (sum of llm.cost). Span count, errors and cost come from the embedded collector; Tempo does not report them (shown as -). When the local embedded collector is not running, its store file under GOBLIN_HOME is read directly.'
  static override examples = [
    '<%= config.bin %> trace list',
    '<%= config.bin %> trace list --service api --since 1h --status error',
    '<%= config.bin %> trace list --backend tempo --min-duration 2s --json',
    '<%= config.bin %> trace list --session ff21bf51-7bdb-4f65-be29-9287e08842c2',
  ]
  static override flags = {
    ...backendFlags,
    service: Flags.string({ description: 'traces with a span of this service.name' }),
    goblin: Flags.string({ description: 'traces of this goblin (goblin.id)' }),
    session: Flags.string({
      description: 'traces of this agent session (a span or resource with session.id)',
    }),
    since: Flags.string({ description: 'started within this long, e.g. 15m, 1h, 7d' }),
    status: Flags.string({ description: 'only traces with an error span', options: ['error'] }),
    'min-duration': Flags.string({ description: 'at least this long, e.g. 250ms, 2s' }),
    limit: Flags.integer({ description: 'most traces shown', default: 20, min: 1, max: 10_000 }),
  }

  async run(): Promise<TraceList> {
    const { flags } = await this.parse(TraceListCommand)
    const { listTraces } = await import('../../src/trace/trace-queries.js')
    const { readTraces } = await import('../../src/trace/trace-source.js')
    const { result: list } = await readTraces(backendFrom(flags), goblinHome(), (source) =>
      listTraces({
        source,
        service: flags.service,
        goblin: flags.goblin,
        session: flags.session,
        since: flags.since,
        status: flags.status as 'error' | undefined,
        minDuration: flags['min-duration'],
        limit: flags.limit,
      }),
    )
    if (!this.jsonEnabled()) {
      const { renderTraceList } = await import('../../src/ui/waterfall-list.js')
      this.out(renderTraceList(list, this.stdoutFacts))
    }
    return list
  }
}
