import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { stopOnSignals } from '../../src/cli/signals.js'
import { RUNTIME_CHOICES } from '../../src/stack/runtime-select.js'
import type { StackUpEvent, StackUpReport } from '../../src/stack/stack-report.js'
import { stackUp } from '../../src/stack/stack-up.js'

export default class StackUp extends GoblinCommand {
  static override summary = 'Start the observability stack (docker when an engine answers, else embedded)'
  static override description =
    "Docker runtime: the OpenTelemetry Collector, Tempo, Loki, Prometheus and Grafana in containers labelled as goblin's, started in dependency order and each waited on until healthy. Embedded runtime: goblin's own collector as a background process (pid and log under GOBLIN_HOME/stack). Running it again changes nothing; Ctrl-C stops what it had started. It ends with the export line that points a shell's OpenTelemetry SDKs at the stack (--json: env)."
  static override examples = [
    '<%= config.bin %> stack up',
    '<%= config.bin %> stack up --runtime embedded --port 0 --json',
    '<%= config.bin %> stack up --runtime docker --image grafana=grafana/grafana:11.4.0',
  ]
  static override flags = {
    runtime: Flags.option({
      options: RUNTIME_CHOICES,
      description: 'where to run the stack (default: stack.runtime, auto)',
    })(),
    host: Flags.string({
      description: 'embedded runtime: address the collector binds (default: collector.host)',
    }),
    port: Flags.integer({
      min: 0,
      max: 65_535,
      description:
        "embedded runtime: the collector's port (0 = a free one; default: stack.ports.otlp-http, collector.port)",
    }),
    image: Flags.string({
      description: 'docker runtime: run SERVICE with this image (SERVICE=REF, repeatable)',
      multiple: true,
    }),
    timeout: Flags.integer({ min: 1, description: 'seconds each service may take to turn healthy' }),
  }

  async run(): Promise<StackUpReport> {
    const { flags } = await this.parse(StackUp)
    using stop = stopOnSignals()
    // A live view (ink) on a terminal; plain lines when stderr is piped, in CI, or under --json (notes only).
    const live = this.stderrFacts.progress
      ? (await import('../../src/ui/stack-progress.js')).startUpProgress(process.stderr)
      : null
    const { describeUpEvent } = await import('../../src/ui/stack-events.js')
    const onEvent = (event: StackUpEvent) => {
      if (live) return live.onEvent(event)
      if (this.jsonEnabled() && event.type !== 'note') return
      const line = describeUpEvent(event)
      if (line) this.note(line)
    }
    try {
      const report = await stackUp({
        runtime: flags.runtime,
        host: flags.host,
        port: flags.port,
        imageFlags: flags.image,
        hooks: this.config,
        timeoutMs: flags.timeout === undefined ? undefined : flags.timeout * 1000,
        signal: stop.signal,
        onEvent,
      })
      live?.stop()
      if (!this.jsonEnabled()) {
        const { renderExports, renderServices, renderUrls } = await import('../../src/ui/stack-report.js')
        this.out(
          `${report.changed ? 'The stack is up' : 'The stack was already up; nothing changed'} (${report.runtime} runtime; ${report.reason}).`,
        )
        this.out(renderServices(report.services, this.stdoutFacts))
        this.out(`\n${renderUrls(report.urls)}`)
        if (report.env) this.out(`\n${renderExports(report.env)}`)
      }
      return report
    } finally {
      live?.stop()
    }
  }
}
