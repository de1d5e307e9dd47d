import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { loadProjectConfig } from '../../src/core/config.js'
import { parseHttpUrl } from '../../src/core/http-url.js'
import { goblinHome } from '../../src/core/paths.js'
import type { MetricList } from '../../src/metrics/metric-queries.js'

/** `--since` and `--endpoint`, shared by the metrics commands. */
export const metricReadFlags = {
  since: Flags.string({
    description: 'only points since then: a duration back from now (1h, 7d), a UTC date or an RFC 3339 time',
  }),
  endpoint: Flags.string({
    description:
      "the goblin collector's URL (default: the running one, else goblin.config.json collector; with neither answering, the store file under GOBLIN_HOME)",
  }),
}

export default class MetricsListCommand extends GoblinCommand {
  static override summary = 'List the OTLP metrics the collector stores'
  static override description =
    'A table of the metrics received on /v1/metrics with points in the window: name, type (counter, up-down counter, gauge, histogram, exponential histogram, summary), temporality, unit, how many series (attribute sets) and points, and the last point.'
  static override examples = [
    '<%= config.bin %> metrics list',
    "<%= config.bin %> metrics list --since 1h --name 'claude_code.*'",
    '<%= config.bin %> metrics list --json',
  ]
  static override flags = {
    ...metricReadFlags,
    name: Flags.string({
      description: 'only names matching this glob (* any run, ? one character; case-sensitive)',
    }),
  }

  async run(): Promise<MetricList> {
    const { flags } = await this.parse(MetricsListCommand)
    if (flags.endpoint) parseHttpUrl(flags.endpoint, '--endpoint')
    const { listMetrics } = await import('../../src/metrics/metric-queries.js')
    const list = await listMetrics({
      home: goblinHome(),
      config: loadProjectConfig().config,
      endpoint: flags.endpoint,
      since: flags.since,
      nameGlob: flags.name,
    })
    if (!this.jsonEnabled()) {
      const { renderMetricList } = await import('../../src/ui/metrics-table.js')
      this.out(renderMetricList(list, this.stdoutFacts))
    }
    return list
  }
}
