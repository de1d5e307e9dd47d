import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { parseHttpUrl } from '../../src/core/http-url.js'
import { buildCostReport, type CostReport } from '../../src/cost/cost-report.js'
import { costReportCsv } from '../../src/cost/report-csv.js'

export default class CostReportCommand extends GoblinCommand {
  static override summary = 'LLM cost by model, goblin, task, session, service, provider, day or hour'
  static override description =
    'Sums the LLM calls recorded by the embedded collector (or goblin_cost_usd_total in Prometheus) between --since and --until: USD, calls, input and output tokens, and calls of models missing from the price table (never priced as $0). Cost of a call = its llm.cost attribute when set, else its tokens x the price table.'
  static override examples = [
    '<%= config.bin %> cost report',
    '<%= config.bin %> cost report --since 7d --by model,goblin',
    '<%= config.bin %> cost report --since 2026-11-01 --until 2026-12-01 --by day --csv > november.csv',
    '<%= config.bin %> cost report --backend prometheus --prometheus-url http://127.0.0.1:9090 --by goblin --json',
  ]
  static override flags = {
    since: Flags.string({
      description: 'start: a duration back from now (24h, 7d), a UTC date or an RFC 3339 time',
      default: '24h',
    }),
    until: Flags.string({ description: 'end (exclusive), same forms as --since; default now' }),
    by: Flags.string({
      description:
        'group by model, goblin, task, session, service, provider, day or hour (UTC; repeatable or comma-separated)',
      multiple: true,
    }),
    backend: Flags.string({
      description: 'where to read spend',
      options: ['embedded', 'prometheus'],
      default: 'embedded',
    }),
    'prometheus-url': Flags.string({
      description: 'Prometheus base URL for --backend prometheus',
      default: 'http://127.0.0.1:9090',
    }),
    csv: Flags.boolean({ description: 'print the rows as CSV for spreadsheets', exclusive: ['json'] }),
  }

  async run(): Promise<CostReport> {
    const { flags } = await this.parse(CostReportCommand)
    parseHttpUrl(flags['prometheus-url'], '--prometheus-url')
    const report = await buildCostReport({
      since: flags.since,
      until: flags.until,
      by: flags.by,
      backend: flags.backend as 'embedded' | 'prometheus',
      prometheusUrl: flags['prometheus-url'],
      hooks: this.config,
    })
    this.warnPluginProblems(report.problems)
    if (flags.csv) {
      process.stdout.write(costReportCsv(report))
    } else if (!this.jsonEnabled()) {
      const { renderCostReport } = await import('../../src/ui/cost-report.js')
      this.out(renderCostReport(report, this.stdoutFacts))
    }
    return report
  }
}
