import * as Flags from '@oclif/core/flags'
import { DEFAULT_KEY_NAME, generateKey } from '../../src/audit/keyring.js'
import { resolveAuditLocations } from '../../src/audit/locations.js'
import { GoblinCommand } from '../../src/cli/base-command.js'

export default class AuditKeygen extends GoblinCommand {
  static override summary = 'Make an Ed25519 audit signing key'
  static override description =
    'Writes the private key to GOBLIN_HOME/keys/<name>.key (mode 0600), records it in the keyring and prints its verifier key (name+hash+base64), which verifiers need.'
  static override examples = [
    '<%= config.bin %> audit keygen',
    '<%= config.bin %> audit keygen --name ci --json',
  ]
  static override flags = {
    name: Flags.string({
      description: `key name (default: audit.key in goblin.config.json, else "${DEFAULT_KEY_NAME}")`,
    }),
    force: Flags.boolean({
      description: 'replace an existing key of this name (the old one is retired, not forgotten)',
    }),
  }

  async run(): Promise<{ name: string; vkey: string; path: string }> {
    const { flags } = await this.parse(AuditKeygen)
    const where = resolveAuditLocations({})
    const name = flags.name ?? where.keyName ?? DEFAULT_KEY_NAME
    const { record, path } = await generateKey(where.keysDir, name, { force: flags.force })
    this.out(record.vkey)
    this.note(`private key: ${path} (mode 0600); give the verifier key above to whoever verifies the log`)
    return { name: record.name, vkey: record.vkey, path }
  }
}
