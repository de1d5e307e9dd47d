import * as Args from '@oclif/core/args'
import { DEFAULT_KEY_NAME, type KeyRecord, rotateKey } from '../../../src/audit/keyring.js'
import { resolveAuditLocations } from '../../../src/audit/locations.js'
import { GoblinCommand } from '../../../src/cli/base-command.js'

export default class AuditKeysRotate extends GoblinCommand {
  static override summary = 'Retire an audit key and make its successor'
  static override description =
    'The retired key keeps verifying what it signed while it was valid; from now on only the new key signs. Prints the new verifier key.'
  static override examples = ['<%= config.bin %> audit keys rotate ci']
  static override args = {
    name: Args.string({
      description: `key name (default: audit.key in goblin.config.json, else "${DEFAULT_KEY_NAME}")`,
    }),
  }

  async run(): Promise<{ retired: KeyRecord; current: { name: string; vkey: string; path: string } }> {
    const { args } = await this.parse(AuditKeysRotate)
    const where = resolveAuditLocations({})
    const { retired, current } = await rotateKey(
      where.keysDir,
      args.name ?? where.keyName ?? DEFAULT_KEY_NAME,
    )
    this.out(current.record.vkey)
    this.note(
      `retired ${retired.kid} at ${retired.valid_until}; new key ${current.record.kid} in ${current.path}`,
    )
    return { retired, current: { name: current.record.name, vkey: current.record.vkey, path: current.path } }
  }
}
