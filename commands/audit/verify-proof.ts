import { readFileSync } from 'node:fs'
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import { resolveAuditLocations } from '../../src/audit/locations.js'
import { resolveTrustedKeys } from '../../src/audit/trust.js'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { ExitCode, usageError } from '../../src/core/errors.js'

export default class AuditVerifyProof extends GoblinCommand {
  static override summary = 'Verify a .tlog-proof offline: one entry, its inclusion and its checkpoint'
  static override description =
    'Checks a C2SP tlog-proof (from goblin audit prove --index N --bundle) with nothing else: no ledger, no network. The checkpoint must be signed by a trusted log key (--key, the log lines of --policy, else the local keyring) and, with --policy, cosigned by the quorum of witnesses the c2sp.org/tlog-policy file names; the entry (--entry ENVELOPE.json, else the one the proof carries) must be signed by a trusted key with seq = index, and the inclusion proof must lead from its leaf hash to the checkpoint root. Exit 0 valid, 1 not, 2 malformed.'
  static override examples = [
    '<%= config.bin %> audit verify-proof decision-3.tlog-proof --key example.com/audit+1a2b3c4d+AbC...=',
    '<%= config.bin %> audit verify-proof decision-3.tlog-proof --policy audit.policy --entry decision-3.json --json',
  ]
  static override args = { file: Args.string({ description: 'the .tlog-proof file', required: true }) }
  static override flags = {
    key: Flags.string({
      description: "the log's verifier key (repeatable); it also verifies the entry's signature",
      multiple: true,
      multipleNonGreedy: true,
    }),
    policy: Flags.string({ description: 'a c2sp.org/tlog-policy file: trusted logs and the witness quorum' }),
    entry: Flags.string({
      description: 'the entry (envelope JSON) the proof is for; default: the one it carries',
    }),
    origin: Flags.string({
      description: 'the origin the checkpoint must name (default: any the keys allow)',
    }),
  }

  async run() {
    const { args, flags } = await this.parse(AuditVerifyProof)
    const read = (file: string, what: string) => {
      try {
        return readFileSync(file)
      } catch {
        throw usageError('AUDIT_NO_PROOF', `cannot read ${what} ${file}`, 'Give a readable file.')
      }
    }
    const { loadPolicy } = await import('../../src/audit/policy.js')
    const { parseTlogProof, verifyTlogProof } = await import('../../src/audit/tlog-proof.js')
    const proof = parseTlogProof(read(args.file, 'the proof').toString('utf8'), args.file)
    const policy = flags.policy ? loadPolicy(flags.policy) : undefined
    const trusted =
      flags.key || !policy
        ? resolveTrustedKeys({ vkeys: flags.key, keysDir: resolveAuditLocations({}).keysDir })
        : policy.logs.map((l) => ({ verifier: l.verifier, record: null }))
    const verdict = verifyTlogProof(proof, {
      trusted,
      origins: flags.origin ? [flags.origin] : undefined,
      policy,
      entry: flags.entry ? read(flags.entry, 'the entry') : undefined,
      where: args.file,
    })
    for (const e of verdict.errors) this.out(`${e.kind}: ${e.message}`)
    if (verdict.checkpoint)
      this.out(
        `checkpoint ${verdict.checkpoint.size} of ${verdict.checkpoint.origin}${verdict.cosigned_by.length ? `, cosigned by ${verdict.cosigned_by.join(', ')}` : ''}`,
      )
    this.out(verdict.ok ? `ok: entry ${verdict.index} is in the log` : `FAILED: entry ${verdict.index}`)
    if (!verdict.ok) process.exitCode = ExitCode.notOk
    return verdict
  }
}
