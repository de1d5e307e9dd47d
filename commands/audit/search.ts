import * as Flags from '@oclif/core/flags'
import type { BrowseResult } from '../../src/audit/browse.js'
import { trustFlags } from '../../src/cli/audit-flags.js'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { ledgerFlag } from '../../src/cli/flags.js'
import { parseTimePoint } from '../../src/core/time-point.js'

export default class AuditSearch extends GoblinCommand {
  static override summary = 'Search the audit log by goblin, action, decision, trace or time'
  static override description =
    'Lists the entries matching every given filter, oldest first, each with its verification state as goblin audit verify decides it over the whole log (checkpointed, signed, failed). Exits 0 whatever the states; goblin audit verify is the gate.'
  static override examples = [
    '<%= config.bin %> audit search --goblin researcher --decision deny',
    '<%= config.bin %> audit search --action tool.Bash --since 24h',
    '<%= config.bin %> audit search --trace 4bf92f35 --json',
  ]
  static override flags = {
    goblin: Flags.string({ description: 'entries of this goblin (goblin_id)' }),
    action: Flags.string({ description: 'entries with this action, e.g. tool.call' }),
    decision: Flags.string({ description: 'entries with this decision, e.g. allow, deny' }),
    trace: Flags.string({ description: 'entries of this trace: its id or a prefix of it' }),
    since: Flags.string({ description: 'entries at or after this time: 24h, 2026-11-01, an RFC 3339 time' }),
    limit: Flags.integer({ description: 'most entries shown', default: 100, min: 1 }),
    ledger: ledgerFlag,
    ...trustFlags,
  }

  async run(): Promise<BrowseResult> {
    const { flags } = await this.parse(AuditSearch)
    const since = flags.since === undefined ? undefined : parseTimePoint(flags.since, '--since')
    const { browseOptionsFrom, searchEntries } = await import('../../src/audit/browse.js')
    const filter = {
      goblin: flags.goblin,
      action: flags.action,
      decision: flags.decision,
      trace: flags.trace,
      since,
    }
    const result = await searchEntries(browseOptionsFrom(flags), filter, flags.limit)
    if (!this.jsonEnabled()) {
      const { renderEntries } = await import('../../src/ui/audit-entries.js')
      this.out(renderEntries(result, flags.limit, this.stdoutFacts))
    }
    return result
  }
}
