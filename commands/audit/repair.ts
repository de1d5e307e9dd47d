import { repairLedger } from '../../src/audit/ledger.js'
import { resolveAuditLocations } from '../../src/audit/locations.js'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { ledgerFlag } from '../../src/cli/flags.js'

export default class AuditRepair extends GoblinCommand {
  static override summary = 'Set aside a torn last line of the audit log'
  static override description =
    'A crash mid-append can leave an incomplete last line. repair moves its bytes to torn/ in the ledger directory and truncates the log to its last complete line; entries before it are not touched. That line was never acknowledged.'
  static override examples = ['<%= config.bin %> audit repair']
  static override flags = {
    ledger: ledgerFlag,
  }

  async run(): Promise<{ repaired: boolean; line: number | null; bytes: number; saved_to: string | null }> {
    const { flags } = await this.parse(AuditRepair)
    const { torn, savedTo } = await repairLedger(resolveAuditLocations(flags).ledgerDir)
    this.out(
      torn
        ? `set aside torn line ${torn.line} (${torn.bytes} bytes) in ${savedTo}`
        : 'nothing to repair: the last line is complete',
    )
    return { repaired: torn !== null, line: torn?.line ?? null, bytes: torn?.bytes ?? 0, saved_to: savedTo }
  }
}
