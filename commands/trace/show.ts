import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { backendFlags, backendFrom } from '../../src/cli/trace-flags.js'
import type { OtlpJsonResourceSpans } from '../../src/collector/otlp-encode-json.js'
import { goblinHome } from '../../src/core/paths.js'
import type { SpanDetail } from '../../src/trace/span-detail.js'
import type { Waterfall } from '../../src/trace/waterfall.js'

export default class TraceShow extends GoblinCommand {
  static override summary = 'Show a trace as a waterfall'
  static override description =
    'The span tree with relative timing bars, durations, status, and model/tokens/cost on LLM spans. Past --max-children siblings collapse into one row; --depth hides deeper spans; --all shows every span. --json prints the trace as OTLP/JSON ({resourceSpans}) with its LLM calls and total cost ({llm: {costUsd, calls}}). ID may be a unique prefix of a trace id (an ambiguous one exits 2 naming the candidates) or latest (the trace that started last). --span SPAN_ID prints one span in full instead: its attributes, events, links, resource, parent and LLM call (--json: that detail). When the local embedded collector is not running, its store file under GOBLIN_HOME is read directly. An unknown trace or span id exits 1.'
  static override examples = [
    '<%= config.bin %> trace show 4bf92f3577b34da6a3ce929d0e0e4736',
    '<%= config.bin %> trace show 4BF92F3577B34DA6A3CE929D0E0E4736 --depth 2',
    '<%= config.bin %> trace show 4bf92f3577b34da6a3ce929d0e0e4736 --json > trace.json',
    '<%= config.bin %> trace show latest',
    '<%= config.bin %> trace show 4bf92f --span 00f067aa',
  ]
  static override args = {
    id: Args.string({
      description: 'trace id (32 hex digits, either case), a unique prefix of one, or latest',
      required: true,
    }),
  }
  static override flags = {
    ...backendFlags,
    depth: Flags.integer({ description: 'show spans down to this depth (0 = roots only)', min: 0 }),
    'max-children': Flags.integer({
      description: 'siblings shown before the rest collapse',
      default: 20,
      min: 1,
    }),
    all: Flags.boolean({ description: 'show every span: no collapsing' }),
    span: Flags.string({
      description:
        'show this span in full (its id or a unique prefix): attributes, events, links, resource, LLM call',
    }),
  }

  async run(): Promise<{ resourceSpans: OtlpJsonResourceSpans[]; llm: TraceLlmSummary } | SpanDetail> {
    const { args, flags } = await this.parse(TraceShow)
    const { showTrace, traceAsOtlpJson } = await import('../../src/trace/trace-queries.js')
    const { readTraces } = await import('../../src/trace/trace-source.js')
    const home = goblinHome()
    const { result: shown } = await readTraces(backendFrom(flags), home, (source) =>
      showTrace(source, args.id, home, {
        depth: flags.depth,
        maxChildren: flags.all ? Number.POSITIVE_INFINITY : flags['max-children'],
      }),
    )
    if (flags.span !== undefined) {
      const { spanDetail } = await import('../../src/trace/span-detail.js')
      const detail = spanDetail(shown.spans, shown.waterfall, flags.span)
      if (!this.jsonEnabled()) {
        const { renderSpanDetail } = await import('../../src/ui/span-detail.js')
        this.out(renderSpanDetail(detail, this.stdoutFacts))
      }
      return detail
    }
    if (!this.jsonEnabled()) {
      const { renderWaterfall } = await import('../../src/ui/waterfall.js')
      this.out(renderWaterfall(shown.waterfall, this.stdoutFacts))
    }
    return { ...traceAsOtlpJson(shown.spans), llm: llmSummary(shown.waterfall) }
  }
}

/** `trace show --json`'s `llm`: each LLM span's call and the trace's total, as `cost report` counts them. */
interface TraceLlmSummary {
  costUsd: number
  calls: Waterfall['llmCalls']
}

function llmSummary(waterfall: Waterfall): TraceLlmSummary {
  return { costUsd: waterfall.costUsd, calls: waterfall.llmCalls }
}
