import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { durationFlag } from '../../src/cli/flags.js'
import { stopOnSignals } from '../../src/cli/signals.js'
import { backendFlags, backendFrom } from '../../src/cli/trace-flags.js'
import type { SpanRecord } from '../../src/collector/span-record.js'
import { goblinHome } from '../../src/core/paths.js'

export default class TraceTail extends GoblinCommand {
  static override summary = 'Print spans as they arrive'
  static override description =
    'Follows the trace backend and prints one line per span as it is stored, until Ctrl-C (or --max spans, or --for a duration). With --json each span is one JSON line (SpanRecord), so the output streams. When the local embedded collector is not running, its store file under GOBLIN_HOME is followed directly.'
  static override examples = [
    '<%= config.bin %> trace tail',
    '<%= config.bin %> trace tail --json | jq .name',
  ]
  static override flags = {
    ...backendFlags,
    max: Flags.integer({ description: 'stop after this many spans', min: 1 }),
    for: durationFlag({ description: 'stop after this long, e.g. 30s' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(TraceTail)
    const { followSpans } = await import('../../src/trace/trace-queries.js')
    const { setLongTimeout } = await import('../../src/core/long-timeout.js')
    const { formatSpanLine } = await import('../../src/ui/waterfall-list.js')
    const { readTraces } = await import('../../src/trace/trace-source.js')
    using stop = stopOnSignals()
    if (flags.for) setLongTimeout(stop.abort, flags.for.ms).unref()
    let printed = 0
    const json = this.jsonEnabled()
    await readTraces(backendFrom(flags), goblinHome(), (source) =>
      followSpans({
        source,
        signal: stop.signal,
        onReady: () =>
          this.note(`following spans at ${source.target.endpoint} (${source.target.kind}); Ctrl-C stops`),
        onSpans: (spans: SpanRecord[]) => {
          for (const span of spans) {
            if (stop.signal.aborted) return
            process.stdout.write(`${json ? JSON.stringify(span) : formatSpanLine(span, this.stdoutFacts)}\n`)
            printed++
            if (flags.max !== undefined && printed >= flags.max) stop.abort()
          }
        },
      }),
    )
  }
}
