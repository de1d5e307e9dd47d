import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../../src/cli/base-command.js'
import type { ExecSummary } from '../../src/trace/exec.js'

export default class TraceExec extends GoblinCommand {
  static override summary = 'Run a command inside a span'
  static override description =
    "Runs CMD with stdin/stdout/stderr passed through, inside a span that is a child of TRACEPARENT when set; CMD gets TRACEPARENT, TRACESTATE, BAGGAGE, (unless set already) OTEL_EXPORTER_OTLP_ENDPOINT and, for --attr goblin.id and task.id, OTEL_RESOURCE_ATTRIBUTES, so nested `goblin trace exec` calls (and services using initTracing) join the same trace. Records the exit code (error status when non-zero), exports the span, and exits with CMD's exit code. Spans go to OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, else the running collector, else goblin.config.json collector host:port."
  static override usage = 'trace exec [--json] [--name <value>] [--attr <value>...] -- CMD [ARG...]'
  static override examples = [
    '<%= config.bin %> trace exec -- make test',
    '<%= config.bin %> trace exec --name deploy --attr task.id=release-7 -- ./deploy.sh prod',
  ]
  static override flags = {
    name: Flags.string({ description: 'span name (default: exec <command>)' }),
    attr: Flags.string({
      description: 'span attribute key=value (repeatable); goblin.id and task.id also go into the baggage',
      multiple: true,
    }),
  }

  async run(): Promise<ExecSummary> {
    // Everything after `--` is the command, verbatim: goblin parses only what comes before it.
    const argv = [...this.argv]
    const separator = argv.indexOf('--')
    const [command, ...args] = separator === -1 ? [] : argv.slice(separator + 1)
    const { flags } = await this.parse(TraceExec, separator === -1 ? argv : argv.slice(0, separator))
    const { prepareExec, runExec } = await import('../../src/trace/exec.js')
    const options = await prepareExec({ command, args, name: flags.name, attr: flags.attr }, process.env)
    return runExec(options, (text) => this.note(text))
  }
}
