import * as Flags from '@oclif/core/flags'
import { eventFromFlags, openEventInput } from '../../src/audit/event-input.js'
import { keyringSigningSession, loadSigner } from '../../src/audit/keyring.js'
import { type AppendedEntry, appendEvents } from '../../src/audit/ledger.js'
import { resolveAuditLocations } from '../../src/audit/locations.js'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { fileOrStdinFlag, ledgerFlag } from '../../src/cli/flags.js'
import { AUDIT_EVENT_HOOK, auditEventAnswer } from '../../src/plugins/contracts.js'
import { collectHook } from '../../src/plugins/hook-runner.js'

export default class AuditSign extends GoblinCommand {
  static override summary = 'Append signed events to the audit log'
  static override description =
    'Signs one event given by flags, or a JSONL stream of events (--input FILE, or - for stdin) as one batch, and appends them durably (fsync) to the ledger. A bad event refuses the whole batch (exit 2) and appends nothing.'
  // Two forms: one event from flags, or a JSONL stream with --input (which excludes the event flags).
  static override usage = [
    'audit sign --goblin <value> --action <value> --decision <value> [--trace-id <value>] [--attr <value>...] [--ledger <value>] [--key <value>] [--json]',
    'audit sign --input <file|-> [--ledger <value>] [--key <value>] [--json]',
  ]
  static override examples = [
    '<%= config.bin %> audit sign --goblin researcher --action tool.call --decision allow --attr tool=search',
    'cat events.jsonl | <%= config.bin %> audit sign --input - --json',
  ]
  static override flags = {
    goblin: Flags.string({ description: 'the goblin (agent) id' }),
    action: Flags.string({ description: 'what it did or asked to do' }),
    decision: Flags.string({ description: 'the decision (e.g. allow, deny)' }),
    'trace-id': Flags.string({
      description: 'W3C trace id (32 lowercase hex) linking the event to its trace',
    }),
    attr: Flags.string({
      description: 'an attribute key=value (repeatable)',
      multiple: true,
      multipleNonGreedy: true,
    }),
    input: fileOrStdinFlag({
      description: 'a JSONL file of events, or - for stdin',
      exclusive: ['goblin', 'action', 'decision', 'trace-id', 'attr'],
    }),
    ledger: ledgerFlag,
    key: Flags.string({ description: 'signing key name (default: audit.key, else the only active key)' }),
  }

  async run(): Promise<{ entries: AppendedEntry[] }> {
    const { flags } = await this.parse(AuditSign)
    // Entries are kept only for whoever reads them (--json, a plugin's audit-event hook): a large batch
    // then costs a bounded amount of memory, not twenty times its input.
    const hooked = [...this.config.plugins.values()].some((p) => (p.hooks[AUDIT_EVENT_HOOK] ?? []).length > 0)
    const keep = this.jsonEnabled() || hooked
    const kept: AppendedEntry[] = []
    let count = 0
    let first: AppendedEntry | undefined
    let last: AppendedEntry | undefined
    // An --input batch is checked whole here (all or nothing), then read again, line by line, as it is signed.
    const input = flags.input
      ? await openEventInput(flags.input.path ?? process.stdin, flags.input.name)
      : null
    try {
      const events = input ? input.events() : [eventFromFlags({ ...flags, traceId: flags['trace-id'] })]
      const where = resolveAuditLocations(flags)
      // Refuse early (no key, key file missing) before the ledger is locked; the key that signs is chosen
      // again under the keyring lock, so a rotation meanwhile hands the batch to the successor.
      loadSigner(where.keysDir, where.keyName)
      await appendEvents(where.ledgerDir, events, keyringSigningSession(where.keysDir, where.keyName), {
        onEntry: (entry) => {
          count++
          first ??= entry
          last = entry
          if (keep) kept.push(entry)
        },
      })
    } finally {
      input?.close()
    }
    this.out(
      count === 1
        ? `appended seq ${first?.seq} ${first?.leaf_hash}`
        : `appended ${count} entries, seq ${first?.seq}..${last?.seq}`,
    )
    if (hooked) {
      const hooks = await collectHook(this.config, AUDIT_EVENT_HOOK, auditEventAnswer, {
        entries: kept.map((e) => ({ seq: e.seq, leafHash: e.leaf_hash, envelope: e.envelope })),
      })
      this.warnPluginProblems(hooks.problems)
    }
    return { entries: kept }
  }
}
