import * as Flags from '@oclif/core/flags'
import { CHECKPOINT_INTERVAL_LIMITS } from '../../src/audit/checkpoint-schedule.js'
import { type CreatedCheckpoint, createCheckpoint } from '../../src/audit/checkpoint-store.js'
import { loadSigner } from '../../src/audit/keyring.js'
import { defaultOrigin, resolveAuditLocations } from '../../src/audit/locations.js'
import type { NoteSigner } from '../../src/audit/signed-note.js'
import type { WitnessOutcome } from '../../src/audit/witness-client.js'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { type DurationValue, durationFlag, ledgerFlag } from '../../src/cli/flags.js'
import { stopOnSignals } from '../../src/cli/signals.js'
import { loadProjectConfig } from '../../src/core/config.js'

export default class AuditCheckpoint extends GoblinCommand {
  static override summary = 'Sign a checkpoint of the audit log at its current size'
  static override description =
    'Writes checkpoints/<size>.note in the ledger directory: a C2SP tlog-checkpoint (origin, size, base64 root) signed as a C2SP signed note, with the C2SP tlog-tiles of that size (tile/...) and <ledger>/checkpoint, and prints the note. Each witness in audit.witnesses is then sent it (c2sp.org/tlog-witness) and its cosignature stored on the note; a witness that does not answer or refuses is a warning naming it, and the checkpoint stays.'
  static override examples = [
    '<%= config.bin %> audit checkpoint',
    '<%= config.bin %> audit checkpoint --origin example.com/audit --json',
  ]
  static override flags = {
    ledger: ledgerFlag,
    key: Flags.string({ description: 'signing key name (default: audit.key, else the only active key)' }),
    every: durationFlag({
      description:
        'keep running: checkpoint whenever the log grew, every interval (30s, 15m, 1h, 1d) until Ctrl-C',
      limits: CHECKPOINT_INTERVAL_LIMITS,
    }),
    origin: Flags.string({
      description: 'checkpoint origin line (default: audit.origin, else goblin/<key name>)',
    }),
  }

  async run(): Promise<
    | { origin: string; size: number; root: string; note: string; witnesses: WitnessOutcome[] }
    | { every: string; checkpoints: { size: number; root: string; path: string }[] }
  > {
    const { flags } = await this.parse(AuditCheckpoint)
    const where = resolveAuditLocations(flags)
    const { signer, record } = loadSigner(where.keysDir, where.keyName)
    if (flags.every)
      return this.schedule(where.ledgerDir, signer, where.origin ?? defaultOrigin(record.name), flags.every)
    const created = await createCheckpoint(
      where.ledgerDir,
      signer,
      where.origin ?? defaultOrigin(record.name),
    )
    const witnesses = loadProjectConfig().config.audit.witnesses
    const { note, outcomes } =
      witnesses.length > 0
        ? await (await import('../../src/audit/witness-client.js')).cosignCheckpoint(
            where.ledgerDir,
            created,
            witnesses,
          )
        : { note: created.note, outcomes: [] }
    process.stdout.write(this.jsonEnabled() ? '' : note)
    this.note(`checkpoint at size ${created.size}: ${created.path}`)
    for (const o of outcomes)
      this.note(
        o.status === 'cosigned'
          ? `witness ${o.name}: ${o.detail}`
          : `warning: witness ${o.name} (${o.url}) ${o.status}: ${o.detail}`,
      )
    return {
      origin: created.origin,
      size: created.size,
      root: Buffer.from(created.root, 'base64').toString('hex'),
      note,
      witnesses: outcomes,
    }
  }

  /** Submits the checkpoint to the witnesses of audit.witnesses and says what each did (stderr). */
  private async cosign(ledgerDir: string, created: CreatedCheckpoint) {
    const witnesses = loadProjectConfig().config.audit.witnesses
    if (witnesses.length === 0) return { note: created.note, outcomes: [] }
    const { cosignCheckpoint } = await import('../../src/audit/witness-client.js')
    const cosigned = await cosignCheckpoint(ledgerDir, created, witnesses)
    for (const o of cosigned.outcomes)
      this.note(
        o.status === 'cosigned'
          ? `witness ${o.name}: ${o.detail}`
          : `warning: witness ${o.name} (${o.url}) ${o.status}: ${o.detail}`,
      )
    return cosigned
  }

  /** --every: checkpoints on a schedule until SIGINT/SIGTERM; --json prints them all at the end. */
  private async schedule(ledgerDir: string, signer: NoteSigner, origin: string, every: DurationValue) {
    const { checkpointOnSchedule } = await import('../../src/audit/checkpoint-schedule.js')
    using stop = stopOnSignals()
    this.note(`checkpointing ${ledgerDir} every ${every.text}; stop with Ctrl-C`)
    const made: { size: number; root: string; path: string }[] = []
    await checkpointOnSchedule(ledgerDir, signer, origin, every.ms, {
      signal: stop.signal,
      onCheckpoint: async (c) => {
        await this.cosign(ledgerDir, c)
        const root = Buffer.from(c.root, 'base64').toString('hex')
        made.push({ size: c.size, root, path: c.path })
        this.out(`${new Date().toISOString()} checkpoint at size ${c.size}: ${c.path}`)
      },
    })
    return { every: every.text, checkpoints: made }
  }
}
