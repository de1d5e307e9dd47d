import { Flags } from '@oclif/core'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { loadProjectConfig } from '../../src/core/config.js'
import { usageError } from '../../src/core/errors.js'
import { goblinHome } from '../../src/core/paths.js'

export default class TraceExec extends GoblinCommand {
  static override summary = 'Run a command inside a span'
  static override description =
    "Runs CMD with stdin/stdout/stderr passed through, inside a span that is a child of TRACEPARENT when set; CMD gets TRACEPARENT, TRACESTATE, BAGGAGE and (unless set already) OTEL_EXPORTER_OTLP_ENDPOINT, so nested `goblin trace exec` calls (and services using initTracing) join the same trace. Records the exit code (error status when non-zero), exports the span, and exits with CMD's exit code. Spans go to OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, else the running collector, else goblin.config.json collector host:port."
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

  async run(): Promise<{
    exitCode: number
    traceId: string
    spanId: string
    sampled: boolean
    exported: boolean
  }> {
    // Everything after `--` is the command, verbatim: goblin parses only what comes before it.
    const argv = [...this.argv]
    const separator = argv.indexOf('--')
    const [command, ...args] = separator === -1 ? [] : argv.slice(separator + 1)
    const { flags } = await this.parse(TraceExec, separator === -1 ? argv : argv.slice(0, separator))
    if (!command) {
      throw usageError(
        'NO_COMMAND',
        'no command to run',
        'Write the command after --, e.g. goblin trace exec -- make test.',
      )
    }
    const { execTraced, parseAttrFlags } = await import('../../src/trace/exec.js')
    const { collectorUrl } = await import('../../src/trace/endpoints.js')
    const env = process.env
    const configured = Boolean(
      env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim(),
    )
    const result = await execTraced({
      command,
      args,
      name: flags.name,
      attributes: parseAttrFlags(flags.attr),
      env,
      serviceName: env.OTEL_SERVICE_NAME?.trim() || 'goblin',
      endpoint: configured ? undefined : collectorUrl(goblinHome(), loadProjectConfig().config),
    })
    if (result.startError) this.note(`goblin trace exec: ${result.startError}`)
    if (!result.export.ok) {
      this.note(
        `goblin trace exec: span ${result.traceId}/${result.spanId} not exported: ${result.export.error}`,
      )
    }
    process.exitCode = result.exitCode
    return {
      exitCode: result.exitCode,
      traceId: result.traceId,
      spanId: result.spanId,
      sampled: result.sampled,
      exported: result.export.ok && result.export.spans > 0,
    }
  }
}
