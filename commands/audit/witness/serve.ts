import * as Flags from '@oclif/core/flags'
import { GoblinCommand } from '../../../src/cli/base-command.js'
import { stopOnSignals } from '../../../src/cli/signals.js'
import { usageError } from '../../../src/core/errors.js'
import { homePaths } from '../../../src/core/paths.js'

export default class AuditWitnessServe extends GoblinCommand {
  static override summary = 'Run a C2SP tlog-witness that cosigns the checkpoints of the logs it is given'
  static override description =
    'Answers POST /add-checkpoint as c2sp.org/tlog-witness defines it: it verifies the log\'s signature (404 unknown origin, 403 no trusted signature), that the old size is the size it last cosigned (409 with its size as text/x.tlog.size; 400 when the old size is above the new), and the consistency proof (422), stores the new checkpoint durably, then answers its cosignature/v1 line. GET /<sha256(origin)>/checkpoint serves the latest checkpoint it cosigned. Its Ed25519 cosigner key is made under GOBLIN_HOME/witness on first start; the first line prints its name and cosigner vkey (--json: {"event":"listening","url","name","vkey"}). Each --log is a log\'s verifier key, named as its origin.'
  static override examples = [
    '<%= config.bin %> audit witness serve --log example.com/audit+1a2b3c4d+AbC...= --port 7380',
    '<%= config.bin %> audit witness serve --name witness.example.com/w1 --log ... --log ... --json',
  ]
  static override flags = {
    log: Flags.string({
      description: "a log's verifier key, named as the log's origin (repeatable)",
      multiple: true,
      multipleNonGreedy: true,
      required: true,
    }),
    name: Flags.string({
      description: "the witness's name, on first start (default: goblin-witness.localhost)",
    }),
    host: Flags.string({ description: 'address to listen on', default: '127.0.0.1' }),
    port: Flags.integer({ description: 'port; 0 picks a free one', min: 0, max: 65_535, default: 7380 }),
  }

  /** Under --json the one document is the `listening` line, written as soon as the port is bound. */
  async run(): Promise<void> {
    const { flags } = await this.parse(AuditWitnessServe)
    using stop = stopOnSignals()
    const { parseVerifierKey } = await import('../../../src/audit/signed-note.js')
    const { loadOrCreateCosigner, serveWitness, Witness } = await import('../../../src/audit/witness.js')
    const logs = flags.log.map((vkey) => parseVerifierKey(vkey))
    if (logs.length === 0)
      throw usageError('WITNESS_NO_LOG', 'no --log given', 'Give the verifier key of each log to witness.')
    const dir = homePaths.witness()
    const cosigner = loadOrCreateCosigner(dir, flags.name)
    const server = await serveWitness(new Witness(dir, cosigner, logs), flags.host, flags.port)
    const listening = { event: 'listening', url: server.url, name: cosigner.name, vkey: cosigner.vkey }
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify(listening)}\n`)
    else this.out(`witness ${cosigner.name} listening on ${server.url} cosigner key ${cosigner.vkey}`)
    this.note(
      `goblin witness: ${logs.map((l) => l.name).join(', ')}; state in ${dir}; stop with Ctrl-C or SIGTERM`,
    )
    await stop.stopped
    await server.close()
  }
}
