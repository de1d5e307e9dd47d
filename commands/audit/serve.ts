import * as Flags from '@oclif/core/flags'
import { resolveAuditLocations } from '../../src/audit/locations.js'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { ledgerFlag } from '../../src/cli/flags.js'
import { stopOnSignals } from '../../src/cli/signals.js'

export default class AuditServe extends GoblinCommand {
  static override summary = "Serve the ledger's C2SP tiles and checkpoint read-only over HTTP"
  static override description =
    'Serves GET /checkpoint and /tile/<L>/<N>[.p/<W>] and /tile/entries/<N>[.p/<W>] from the ledger directory, as c2sp.org/tlog-tiles lays them out (goblin audit checkpoint writes them), and nothing else. Tiles are immutable and cached for a year; the checkpoint for 5 seconds. Anyone can then verify with goblin audit verify --source http://HOST:PORT/ without the whole log. The first line is the URL (--json: {"event":"listening","url","host","port"}). Stops on Ctrl-C or SIGTERM.'
  static override examples = [
    '<%= config.bin %> audit serve --port 8080',
    '<%= config.bin %> audit serve --host 0.0.0.0 --port 8080 --ledger ./audit --json',
  ]
  static override flags = {
    host: Flags.string({ description: 'address to listen on', default: '127.0.0.1' }),
    port: Flags.integer({ description: 'port; 0 picks a free one', min: 0, max: 65_535, default: 8080 }),
    ledger: ledgerFlag,
  }

  /** Under --json the one document is the `listening` line, written as soon as the port is bound. */
  async run(): Promise<void> {
    const { flags } = await this.parse(AuditServe)
    using stop = stopOnSignals()
    const { ledgerDir } = resolveAuditLocations({ ledger: flags.ledger })
    const { serveTiles } = await import('../../src/audit/tile-server.js')
    const server = await serveTiles(ledgerDir, flags.host, flags.port)
    if (this.jsonEnabled())
      process.stdout.write(
        `${JSON.stringify({ event: 'listening', url: server.url, host: server.host, port: server.port })}\n`,
      )
    else this.out(server.url)
    this.note(`goblin audit serve: tiles of ${ledgerDir}; stop with Ctrl-C or SIGTERM`)
    await stop.stopped
    await server.close()
  }
}
