import * as Flags from '@oclif/core/flags'
import { defaultOrigin, resolveAuditLocations } from '../../src/audit/locations.js'
import { resolveTrustedKeys } from '../../src/audit/trust.js'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { ledgerFlag } from '../../src/cli/flags.js'
import { loadProjectConfig } from '../../src/core/config.js'

export default class AuditAnchor extends GoblinCommand {
  static override summary = "Anchor the latest checkpoint's root on Bitcoin (OpenTimestamps) and/or Ethereum"
  static override description =
    'Stamps the root on the OpenTimestamps calendars (anchor.ots.calendars) and stores the standard .ots proof as checkpoints/<size>.ots; sends an Ethereum transaction carrying the root (anchor.ethereum; signer key from GOBLIN_ETH_PRIVATE_KEY or a 0600 key file). Records both in checkpoints/<size>.anchor.json. --upgrade fetches completed Bitcoin attestations for every pending proof. With no flag, --ots. Re-running never anchors the same checkpoint twice. The checkpoint is verified first (signed by a trusted key, of the log origin, its root that of the first <size> entries of the log): one that does not verify is refused, exit 1, and nothing is anchored.'
  static override examples = [
    '<%= config.bin %> audit anchor',
    '<%= config.bin %> audit anchor --ots --ethereum --json',
    '<%= config.bin %> audit anchor --upgrade',
  ]
  static override flags = {
    ots: Flags.boolean({ description: 'stamp the root on OpenTimestamps calendars' }),
    ethereum: Flags.boolean({ description: 'send an Ethereum transaction carrying the root' }),
    upgrade: Flags.boolean({ description: 'fetch completed Bitcoin attestations for pending .ots proofs' }),
    ledger: ledgerFlag,
    origin: Flags.string({
      description:
        "the log's checkpoint origin (default: audit.origin, else goblin/<key name> of a trusted key)",
    }),
    key: Flags.string({
      description: 'trust this verifier key for the checkpoint, instead of the local keyring (repeatable)',
      multiple: true,
      multipleNonGreedy: true,
    }),
  }

  async run() {
    const { flags } = await this.parse(AuditAnchor)
    const where = resolveAuditLocations({ ledger: flags.ledger, origin: flags.origin })
    const trusted = resolveTrustedKeys({ vkeys: flags.key, keysDir: where.keysDir })
    const { config } = loadProjectConfig()
    const { anchorLatestCheckpoint } = await import('../../src/anchor/anchor-checkpoint.js')
    const nothingAsked = !flags.ots && !flags.ethereum && !flags.upgrade
    const report = await anchorLatestCheckpoint(where.ledgerDir, {
      verifiers: trusted.map((t) => t.verifier),
      origins: where.origin ? [where.origin] : trusted.map((t) => defaultOrigin(t.verifier.name)),
      ots: flags.ots || nothingAsked,
      ethereum: flags.ethereum,
      upgrade: flags.upgrade,
      config: config.anchor,
      onEthereumSent: (txHash, confirmations) =>
        this.note(`ethereum: sent ${txHash}; waiting for ${confirmations} confirmation(s)`),
    })
    const { checkpoint } = report
    this.out(`checkpoint ${checkpoint.origin} size ${checkpoint.size} root ${checkpoint.root}`)
    if (report.ots) {
      for (const c of report.ots.calendars.filter((c) => !c.ok))
        this.note(`warning: calendar ${c.url}: ${c.error}`)
      this.out(
        report.ots.status === 'stamped'
          ? `ots: stamped on ${report.ots.calendars.filter((c) => c.ok).length} calendar(s): ${report.ots.proof}`
          : `ots: already stamped: ${report.ots.proof}`,
      )
    }
    if (report.ethereum) {
      const e = report.ethereum
      this.out(`ethereum: ${e.status} on chain ${e.chain_id} in block ${e.block_number}, tx ${e.tx_hash}`)
    }
    for (const u of report.upgrades ?? []) {
      for (const o of u.outcomes.filter((o) => o.status === 'error'))
        this.note(`warning: ${o.calendar}: ${o.detail}`)
      this.out(
        u.bitcoin_heights.length > 0
          ? `upgrade: size ${u.size}: Bitcoin block(s) ${u.bitcoin_heights.join(', ')}${u.changed ? '' : ' (unchanged)'}`
          : `upgrade: size ${u.size}: still pending`,
      )
    }
    this.out(`receipt: ${report.receipt}`)
    return report
  }
}
