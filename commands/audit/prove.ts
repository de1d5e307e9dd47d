import { Flags } from '@oclif/core'
import { resolveAuditLocations } from '../../src/audit/locations.js'
import {
  type ConsistencyProofJson,
  type InclusionProofJson,
  proveConsistency,
  proveInclusion,
} from '../../src/audit/proofs.js'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { ledgerFlag } from '../../src/cli/flags.js'
import { usageError } from '../../src/core/errors.js'

export default class AuditProve extends GoblinCommand {
  static override summary = 'Print an inclusion or consistency proof (RFC 9162)'
  static override description =
    'With --index N: the inclusion proof of entry N in the tree of --size M entries (default: the whole log). With --from A --to B: the consistency proof between the trees of A and B entries. Hashes are hex.'
  static override examples = [
    '<%= config.bin %> audit prove --index 3',
    '<%= config.bin %> audit prove --index 3 --size 10',
    '<%= config.bin %> audit prove --from 10 --to 42',
  ]
  static override flags = {
    index: Flags.integer({ description: 'entry index (seq) to prove included', min: 0, exclusive: ['from'] }),
    size: Flags.integer({
      description: 'tree size for the inclusion proof (default: the whole log)',
      min: 0,
      dependsOn: ['index'],
    }),
    from: Flags.integer({ description: 'older tree size', min: 0, dependsOn: ['to'] }),
    to: Flags.integer({ description: 'newer tree size', min: 0, dependsOn: ['from'] }),
    ledger: ledgerFlag,
  }

  async run(): Promise<InclusionProofJson | ConsistencyProofJson> {
    const { flags } = await this.parse(AuditProve)
    const { ledgerDir } = resolveAuditLocations(flags)
    let proof: InclusionProofJson | ConsistencyProofJson
    if (flags.index !== undefined) proof = await proveInclusion(ledgerDir, flags.index, flags.size)
    else if (flags.from !== undefined && flags.to !== undefined)
      proof = await proveConsistency(ledgerDir, flags.from, flags.to)
    else
      throw usageError(
        'AUDIT_PROVE_WHAT',
        'give --index N, or --from A --to B',
        'See goblin audit prove --help.',
      )
    this.out(JSON.stringify(proof, null, 2))
    return proof
  }
}
