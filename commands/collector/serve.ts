import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { stopOnSignals } from '../../src/cli/signals.js'
import { loadProjectConfig } from '../../src/core/config.js'
import { goblinHome } from '../../src/core/paths.js'

export default class CollectorServe extends GoblinCommand {
  static override summary = 'Run the embedded OTLP/HTTP collector in the foreground'
  static override description =
    'Receives OTLP/HTTP traces, logs and metrics (protobuf or JSON, gzip) on /v1/traces, /v1/logs and /v1/metrics, stores them under GOBLIN_HOME/spans, answers Tempo-shaped queries on /api/traces/{id} and /api/search and metric queries on /api/goblin/metrics, serves Prometheus metrics on /metrics and GET /health, and the console (a web page of traces, cost and the audit log) on /console/. Host and port default to goblin.config.json "collector". SIGTERM or SIGINT stops accepting, writes everything queued, and exits 0.'
  static override examples = [
    '<%= config.bin %> collector serve',
    '<%= config.bin %> collector serve --port 0 --json',
  ]
  static override flags = {
    host: Flags.string({ description: 'address to listen on (default: collector.host, 127.0.0.1)' }),
    port: Flags.integer({
      description: 'port (default: collector.port, 4318); 0 picks a free one',
      min: 0,
      max: 65_535,
    }),
    audit: Flags.boolean({
      description:
        'aggregate goblin.audit log records: verify each envelope and append the good ones to the audit ledger',
    }),
    'audit-trust': Flags.string({
      description:
        "with --audit: a service's verifier key to accept envelopes from (repeatable; default: the local keyring)",
      multiple: true,
    }),
    'audit-keyring': Flags.string({
      description: 'with --audit: accept the keys of this exported keyring JSON',
    }),
    'queue-size': Flags.integer({
      description: 'spans and log records the ingest queue holds before answering 429',
      min: 1,
      hidden: true,
    }),
  }

  /** Under --json the one document is the `listening` line, written as soon as the port is bound. */
  async run(): Promise<void> {
    const { flags } = await this.parse(CollectorServe)
    // Listen for the stop signals before the port opens, so a parent's early SIGTERM still drains cleanly.
    using stop = stopOnSignals()
    const { serveCollector } = await import('../../src/collector/serve.js')
    const { resolveAuditLocations } = await import('../../src/audit/locations.js')
    const { tablePricer } = await import('../../src/cost/table-pricer.js')
    const { consoleRoutes } = await import('../../src/console/console-api.js')
    const locations = resolveAuditLocations({})
    const audit = flags.audit ? locations : null
    const home = goblinHome()
    const collector = await serveCollector({
      home,
      price: tablePricer(home),
      config: loadProjectConfig().config,
      version: this.config.version,
      host: flags.host,
      port: flags.port,
      queueCapacity: flags['queue-size'],
      audit: audit
        ? {
            ledgerDir: audit.ledgerDir,
            keysDir: audit.keysDir,
            keyName: audit.keyName,
            trust: flags['audit-trust'],
            keyringFile: flags['audit-keyring'],
          }
        : undefined,
      readRoutes: consoleRoutes({
        home,
        ledgerDir: locations.ledgerDir,
        keysDir: locations.keysDir,
        hooks: this.config,
      }),
    })
    const listening = { url: collector.url, host: collector.host, port: collector.port, pid: process.pid }
    // One line, written at once, so a parent process can read the bound address (also under --json).
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify({ event: 'listening', ...listening })}\n`)
    else this.out(`listening on ${collector.url}`)
    this.note(
      `goblin collector: spans stored in ${collector.store.path}; console at ${collector.url}/console/; stop with Ctrl-C or SIGTERM`,
    )

    const signal = await stop.stopped
    this.note(`goblin collector: ${signal}, writing queued spans and stopping`)
    await collector.close()
    this.note('goblin collector: stopped')
  }
}
