import { Flags } from '@oclif/core'
import { CHECKPOINT_INTERVAL_LIMITS } from '../../src/audit/checkpoint-schedule.js'
import { createCheckpoint } from '../../src/audit/checkpoint-store.js'
import { loadSigner } from '../../src/audit/keyring.js'
import { defaultOrigin, resolveAuditLocations } from '../../src/audit/locations.js'
import type { NoteSigner } from '../../src/audit/signed-note.js'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { type DurationValue, durationFlag, ledgerFlag } from '../../src/cli/flags.js'
import { stopOnSignals } from '../../src/cli/signals.js'

export default class AuditCheckpoint extends GoblinCommand {
  static override summary = 'Sign a checkpoint of the audit log at its current size'
  static override description =
    'Writes checkpoints/<size>.note in the ledger directory: a C2SP tlog-checkpoint (origin, size, base64 root) signed as a C2SP signed note, and prints the note.'
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
    | { origin: string; size: number; root: string; note: string }
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
    process.stdout.write(this.jsonEnabled() ? '' : created.note)
    this.note(`checkpoint at size ${created.size}: ${created.path}`)
    return {
      origin: created.origin,
      size: created.size,
      root: Buffer.from(created.root, 'base64').toString('hex'),
      note: created.note,
    }
  }

  /** --every: checkpoints on a schedule until SIGINT/SIGTERM; --json prints them all at the end. */
  private async schedule(ledgerDir: string, signer: NoteSigner, origin: string, every: DurationValue) {
    const { checkpointOnSchedule } = await import('../../src/audit/checkpoint-schedule.js')
    using stop = stopOnSignals()
    this.note(`checkpointing ${ledgerDir} every ${every.text}; stop with Ctrl-C`)
    const made: { size: number; root: string; path: string }[] = []
    await checkpointOnSchedule(ledgerDir, signer, origin, every.ms, {
      signal: stop.signal,
      onCheckpoint: (c) => {
        const root = Buffer.from(c.root, 'base64').toString('hex')
        made.push({ size: c.size, root, path: c.path })
        this.out(`${new Date().toISOString()} checkpoint at size ${c.size}: ${c.path}`)
      },
    })
    return { every: every.text, checkpoints: made }
  }
}
