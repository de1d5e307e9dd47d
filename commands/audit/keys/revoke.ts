import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { type KeyRecord, revokeKey } from '../../../src/audit/keyring.js'
import { resolveAuditLocations } from '../../../src/audit/locations.js'
import { GoblinCommand } from '../../../src/cli/base-command.js'
import { usageError } from '../../../src/core/errors.js'

export default class AuditKeysRevoke extends GoblinCommand {
  static override summary = 'Revoke an audit key'
  static override description =
    'Entries signed by the key at or after the revocation time fail verification (kind revoked-key). Use --at to revoke from the moment a key was compromised.'
  static override examples = [
    '<%= config.bin %> audit keys revoke ci',
    '<%= config.bin %> audit keys revoke ci+1a2b3c4d --at 2026-01-31T12:00:00Z',
  ]
  static override args = {
    name: Args.string({ description: 'key name (its current key) or name+hash', required: true }),
  }
  static override flags = {
    at: Flags.string({ description: 'revoke from this RFC 3339 time (default: now)' }),
  }

  async run(): Promise<{ key: KeyRecord }> {
    const { args, flags } = await this.parse(AuditKeysRevoke)
    const at = flags.at === undefined ? new Date() : new Date(flags.at)
    if (Number.isNaN(at.getTime()))
      throw usageError(
        'AUDIT_BAD_TIME',
        `--at ${flags.at}: not an RFC 3339 time`,
        'For example --at 2026-01-31T12:00:00Z.',
      )
    const key = await revokeKey(resolveAuditLocations({}).keysDir, args.name, at)
    this.out(`revoked ${key.kid} from ${key.revoked_at}`)
    return { key }
  }
}
