import * as Args from '@oclif/core/args'
import type { BrowseResult } from '../../src/audit/browse.js'
import { trustFlags } from '../../src/cli/audit-flags.js'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { ledgerFlag } from '../../src/cli/flags.js'
import { ExitCode, usageError } from '../../src/core/errors.js'

export default class AuditGet extends GoblinCommand {
  static override summary = 'Show one audit entry and whether it verifies'
  static override description =
    'Prints the entry at SEQ (its fields and attributes) and its verification state, as goblin audit verify decides it over the whole log: checkpointed (its signature verifies and a signed checkpoint covers it), signed (no checkpoint covers it yet) or failed (with each problem). Exits 1 when the entry fails or does not exist.'
  static override examples = [
    '<%= config.bin %> audit get 42',
    '<%= config.bin %> audit get 0 --ledger ./audit --keyring keyring.json --json',
  ]
  static override args = {
    seq: Args.string({ description: "the entry's seq (0-based position in the log)", required: true }),
  }
  static override flags = { ledger: ledgerFlag, ...trustFlags }

  async run(): Promise<BrowseResult> {
    const { args, flags } = await this.parse(AuditGet)
    const { browseOptionsFrom, getEntry } = await import('../../src/audit/browse.js')
    const result = await getEntry(browseOptionsFrom(flags), parseSeq(args.seq))
    if (!this.jsonEnabled()) {
      const { renderEntry } = await import('../../src/ui/audit-entries.js')
      this.out(renderEntry(result, this.stdoutFacts))
    }
    if (result.matches[0]?.verification.state === 'failed') process.exitCode = ExitCode.notOk
    return result
  }
}

function parseSeq(text: string): number {
  const seq = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN
  if (Number.isSafeInteger(seq)) return seq
  throw usageError(
    'AUDIT_BAD_SEQ',
    `"${text}" is not a seq`,
    'A seq is a whole number from 0, e.g. from goblin audit search.',
  )
}
