import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { loadProjectConfig } from '../../src/core/config.js'
import { parseHttpUrl } from '../../src/core/http-url.js'
import { goblinHome } from '../../src/core/paths.js'
import type { ShownMetric } from '../../src/metrics/metric-queries.js'
import { metricReadFlags } from './list.js'

export default class MetricsShowCommand extends GoblinCommand {
  static override summary = 'Show what one metric did in a window, per attribute set'
  static override description =
    "For a counter or up-down counter, the increase in the window (delta points summed; cumulative points differenced, a sender's restart counted from zero); for a gauge, the last value; for a histogram or summary, the observations' count, sum and mean. One row per attribute set, or per --by attributes (looked up in the point's attributes, then its resource's)."
  static override examples = [
    '<%= config.bin %> metrics show claude_code.cost.usage --by model',
    '<%= config.bin %> metrics show claude_code.token.usage --by type,session.id --since 24h',
    '<%= config.bin %> metrics show claude_code.cost.usage --by goblin.id --json',
  ]
  static override args = {
    name: Args.string({ description: 'the metric name, as metrics list shows it', required: true }),
  }
  static override flags = {
    ...metricReadFlags,
    by: Flags.string({
      description: 'group by these attributes (repeatable or comma-separated), e.g. model,session.id',
      multiple: true,
      delimiter: ',',
    }),
  }

  async run(): Promise<ShownMetric> {
    const { args, flags } = await this.parse(MetricsShowCommand)
    if (flags.endpoint) parseHttpUrl(flags.endpoint, '--endpoint')
    const { showMetric } = await import('../../src/metrics/metric-queries.js')
    const shown = await showMetric({
      home: goblinHome(),
      config: loadProjectConfig().config,
      endpoint: flags.endpoint,
      since: flags.since,
      name: args.name,
      by: flags.by?.map((b) => b.trim()).filter(Boolean),
    })
    if (!this.jsonEnabled()) {
      const { renderShownMetric } = await import('../../src/ui/metrics-table.js')
      this.out(renderShownMetric(shown, this.stdoutFacts))
    }
    return shown
  }
}
