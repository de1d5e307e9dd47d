import * as Flags from '@oclif/core/flags'
import { resolveAuditLocations } from '../../src/audit/locations.js'
import {
  type ConsistencyProofJson,
  type InclusionProofJson,
  proveConsistency,
  proveInclusion,
} from '../../src/audit/proofs.js'
import { resolveTrustedKeys } from '../../src/audit/trust.js'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { ledgerFlag } from '../../src/cli/flags.js'
import { usageError } from '../../src/core/errors.js'

export default class AuditProve extends GoblinCommand {
  static override summary = 'Print an inclusion or consistency proof (RFC 9162)'
  static override description =
    'With --index N: the inclusion proof of entry N in the tree of --size M entries (default: the whole log). With --from A --to B: the consistency proof between the trees of A and B entries. Hashes are hex. With --index N --bundle: a C2SP tlog-proof (.tlog-proof) of entry N against the latest checkpoint with its cosignatures, the entry itself in its extra line: the file alone proves the entry to anyone with the verifier key (goblin audit verify-proof FILE).'
  static override examples = [
    '<%= config.bin %> audit prove --index 3',
    '<%= config.bin %> audit prove --index 3 --size 10',
    '<%= config.bin %> audit prove --from 10 --to 42',
    '<%= config.bin %> audit prove --index 3 --bundle > decision-3.tlog-proof',
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
    bundle: Flags.boolean({
      description: 'with --index: print a .tlog-proof (c2sp.org/tlog-proof) for offline verification',
      dependsOn: ['index'],
      exclusive: ['size'],
    }),
    ledger: ledgerFlag,
  }

  async run(): Promise<InclusionProofJson | ConsistencyProofJson | { index: number; proof: string }> {
    const { flags } = await this.parse(AuditProve)
    const { ledgerDir, keysDir } = resolveAuditLocations(flags)
    if (flags.bundle && flags.index !== undefined) {
      const { proveEntryBundle } = await import('../../src/audit/tlog-proof.js')
      const proof = await proveEntryBundle(ledgerDir, flags.index, resolveTrustedKeys({ keysDir }))
      if (!this.jsonEnabled()) process.stdout.write(proof)
      return { index: flags.index, proof }
    }
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
