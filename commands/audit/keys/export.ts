import { type Keyring, loadKeyring } from '../../../src/audit/keyring.js'
import { resolveAuditLocations } from '../../../src/audit/locations.js'
import { GoblinCommand } from '../../../src/cli/base-command.js'

export default class AuditKeysExport extends GoblinCommand {
  static override summary = 'Print the public audit keys'
  static override description =
    'Prints one verifier key per line; --json prints the keyring (public keys and validity windows, never a private key), which goblin audit verify --keyring FILE reads.'
  static override examples = [
    '<%= config.bin %> audit keys export',
    '<%= config.bin %> audit keys export --json > keyring.json',
  ]

  async run(): Promise<Keyring> {
    await this.parse(AuditKeysExport)
    const keyring = loadKeyring(resolveAuditLocations({}).keysDir)
    for (const key of keyring.keys) this.out(key.vkey)
    return keyring
  }
}
