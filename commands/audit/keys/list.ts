import { type KeyRecord, type KeyStatus, keyStatus, loadKeyring } from '../../../src/audit/keyring.js'
import { resolveAuditLocations } from '../../../src/audit/locations.js'
import { GoblinCommand } from '../../../src/cli/base-command.js'

type Listed = KeyRecord & { status: KeyStatus }

export default class AuditKeysList extends GoblinCommand {
  static override summary = 'List audit keys and their validity windows'
  static override examples = ['<%= config.bin %> audit keys list', '<%= config.bin %> audit keys list --json']

  async run(): Promise<{ keys: Listed[] }> {
    await this.parse(AuditKeysList)
    const keys = loadKeyring(resolveAuditLocations({}).keysDir).keys.map((k) => ({
      ...k,
      status: keyStatus(k),
    }))
    if (!this.jsonEnabled()) {
      if (keys.length === 0) this.out('no keys yet: goblin audit keygen makes one')
      else {
        const { renderTable } = await import('../../../src/ui/table.js')
        const facts = this.stdoutFacts
        this.out(
          renderTable(
            keys,
            [
              { header: 'KEY', value: (k) => k.kid },
              {
                header: 'STATUS',
                value: (k) => k.status,
                tone: (k) => (k.status === 'active' ? 'green' : k.status === 'revoked' ? 'red' : 'yellow'),
              },
              { header: 'VALID FROM', value: (k) => k.valid_from },
              { header: 'UNTIL', value: (k) => k.valid_until ?? '-' },
              { header: 'REVOKED', value: (k) => k.revoked_at ?? '-' },
            ],
            { color: facts.color, columns: facts.columns },
          ),
        )
      }
    }
    return { keys }
  }
}
