import { readFileSync } from 'node:fs'
import * as Flags from '@oclif/core/flags'
import { defaultOrigin, resolveAuditLocations } from '../../src/audit/locations.js'
import type { RemoteReport } from '../../src/audit/remote-verify.js'
import { resolveTrustedKeys } from '../../src/audit/trust.js'
import { type TrustedKey, type VerifyReport, verifyLedger } from '../../src/audit/verify.js'
import { trustFlags } from '../../src/cli/audit-flags.js'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { ledgerFlag } from '../../src/cli/flags.js'
import { startProgress } from '../../src/cli/progress.js'
import { loadProjectConfig } from '../../src/core/config.js'
import { ExitCode, usageError } from '../../src/core/errors.js'
import { homePaths } from '../../src/core/paths.js'
import { formatCount } from '../../src/ui/format.js'

/** Logs from this size up (about 25,000 entries) show progress while they verify. */
const PROGRESS_FROM_BYTES = 8 * 1024 * 1024

export default class AuditVerify extends GoblinCommand {
  static override summary = 'Verify the whole audit log'
  static override description =
    "Checks every entry's signature under the key valid at its time, seq continuity, the Merkle tree, and every stored checkpoint (signature, origin, size, root). Remembers the largest checkpoint it verified per origin under GOBLIN_HOME/verified, and reports a later log cut back below it (log-rolled-back), that checkpoint deleted (checkpoint-vanished), or a current checkpoint that does not extend it (checkpoint-inconsistent, a fork). Streams the log: memory stays flat however long it is. Reports every problem with its seq, line and kind; exits 1 on any. Uses all cores for large logs."
  static override examples = [
    '<%= config.bin %> audit verify',
    '<%= config.bin %> audit verify --ledger ./audit --keyring keyring.json --json',
    '<%= config.bin %> audit verify --key ci+1a2b3c4d+AbC...=',
  ]
  static override flags = {
    ledger: ledgerFlag,
    origin: Flags.string({
      description:
        "the log's checkpoint origin; checkpoints of any other are refused (default: audit.origin, else goblin/<key name> of a trusted key)",
    }),
    policy: Flags.string({
      description:
        'a c2sp.org/tlog-policy file: the latest checkpoint must carry the quorum of witness cosignatures it names',
    }),
    'since-checkpoint': Flags.string({
      description: 'a signed checkpoint seen before (a file): the current checkpoint must extend it',
    }),
    ...trustFlags,
    online: Flags.boolean({
      description:
        'also check anchors online: Bitcoin blocks (anchor.bitcoin.source) and Ethereum transactions',
    }),
    'bitcoin-source': Flags.string({
      description: 'block headers for --online: an Esplora URL, rpc+http://user:pass@host:8332, or file:PATH',
    }),
    source: Flags.string({
      description:
        'verify a published log: http(s)://PREFIX/ (C2SP tiles, as goblin audit serve or any static server serves them: only the tiles the proofs need are fetched), or s3://BUCKET/PREFIX (what goblin audit push stored: downloaded whole and verified like a local ledger, or with --index, only the tiles needed)',
    }),
    index: Flags.integer({
      description:
        'with an http(s):// or s3:// --source: prove this entry included, and check it (repeatable)',
      min: 0,
      multiple: true,
    }),
    endpoint: Flags.string({
      description: 'S3-compatible endpoint for --source (default: anchor.s3.endpoint)',
    }),
    threads: Flags.integer({
      description:
        'threads that check signatures (default 1, which stays under 150 MB; each more adds a worker thread, about 17 MB, for up to that many times the speed on free cores)',
      min: 1,
    }),
  }

  async run(): Promise<VerifyReport | RemoteReport> {
    const { flags } = await this.parse(AuditVerify)
    const where = resolveAuditLocations({ ledger: flags.ledger, origin: flags.origin })
    const { source } = flags
    const fromTiles =
      source !== undefined &&
      (/^https?:\/\//.test(source) || (source.startsWith('s3://') && flags.index !== undefined))
    if (fromTiles) return this.verifyTiles(source, flags, where)
    if (flags.index)
      throw usageError(
        'AUDIT_INDEX_NEEDS_TILES',
        '--index needs an http(s):// or s3:// --source',
        'A local verify checks every entry already.',
      )
    const { describeAnchor, openLedgerSource, withAnchorChecks } = await import(
      '../../src/anchor/verify-hook.js'
    )
    const bucket = flags.source ? await openLedgerSource(flags.source, flags.endpoint) : null
    if (bucket) where.ledgerDir = bucket.ledgerDir
    try {
      const trusted = resolveTrustedKeys({
        vkeys: flags.key,
        keyringFile: flags.keyring,
        keysDir: where.keysDir,
      })
      const sinceFile = flags['since-checkpoint']
      const progress = startProgress(this.stderrFacts)
      const ledgerReport = await verifyLedger(where.ledgerDir, trusted, {
        threads: flags.threads,
        origins: expectedOrigins(where.origin, trusted),
        stateDir: homePaths.verified(),
        since: sinceFile ? { note: readSince(sinceFile), file: sinceFile } : undefined,
        policy: flags.policy
          ? (await import('../../src/audit/policy.js')).loadPolicy(flags.policy)
          : undefined,
        // A log of a few chunks takes seconds: say how far it got (a small one is done before it matters).
        onProgress: ({ entries, bytes, totalBytes }) => {
          if (totalBytes >= PROGRESS_FROM_BYTES)
            progress.update(
              `verifying ${where.ledgerDir}: ${formatCount(entries)} entries, ${Math.floor((bytes / totalBytes) * 100)}%`,
            )
        },
      })
      progress.done()
      const report = await withAnchorChecks(ledgerReport, where.ledgerDir, {
        online: flags.online,
        bitcoinSource: flags['bitcoin-source'],
      })
      for (const e of report.errors) {
        const place =
          e.line !== null ? `line ${e.line}${e.seq !== null ? ` seq ${e.seq}` : ''}` : (e.file ?? '')
        this.out(`${place}: ${e.kind}: ${e.message}`)
      }
      for (const line of report.anchors.map(describeAnchor)) this.out(line)
      this.out(
        report.ok
          ? `ok: ${report.entries} entries, ${report.checkpoints} checkpoint(s), root ${report.root}`
          : `FAILED: ${report.errors.length} problem(s) in ${report.entries} entries, ${report.checkpoints} checkpoint(s)`,
      )
      if (report.since) this.note(`extends checkpoint ${report.since.size} (${report.since.from})`)
      if (report.remembered)
        this.note(`remembered checkpoint ${report.remembered.size} of ${report.remembered.origin}`)
      if (!report.ok) process.exitCode = ExitCode.notOk
      return report
    } finally {
      bucket?.cleanup()
    }
  }

  /** --source http(s)://: the published checkpoint, its consistency and the entries asked for, from tiles. */
  private async verifyTiles(
    source: string,
    flags: {
      key?: string[]
      keyring?: string
      index?: number[]
      'since-checkpoint'?: string
      endpoint?: string
    },
    where: ReturnType<typeof resolveAuditLocations>,
  ): Promise<RemoteReport> {
    const { httpTileFetch, verifyRemoteLog } = await import('../../src/audit/remote-verify.js')
    const trusted = resolveTrustedKeys({
      vkeys: flags.key,
      keyringFile: flags.keyring,
      keysDir: where.keysDir,
    })
    const counter = { requests: 0, bytes: 0 }
    const sinceFile = flags['since-checkpoint']
    const s3 = source.startsWith('s3://') ? loadProjectConfig().config.anchor.s3 : null
    const bucket = s3
      ? await (await import('../../src/anchor/s3-pull.js')).s3TileFetch(
          source,
          { endpoint: flags.endpoint ?? s3.endpoint, region: s3.region },
          counter,
        )
      : null
    const report = await verifyRemoteLog(source, bucket?.fetch ?? httpTileFetch(source, counter), trusted, {
      origins: expectedOrigins(where.origin, trusted),
      stateDir: homePaths.verified(),
      since: sinceFile ? { note: readSince(sinceFile), file: sinceFile } : undefined,
      indexes: flags.index,
      counter,
    }).finally(() => bucket?.close())
    for (const e of report.errors)
      this.out(`${e.seq !== null ? `seq ${e.seq}` : (e.file ?? '')}: ${e.kind}: ${e.message}`)
    if (report.checkpoint)
      this.out(
        `checkpoint ${report.checkpoint.size} of ${report.checkpoint.origin}, root ${report.checkpoint.root}`,
      )
    if (report.since) this.out(`consistent with checkpoint ${report.since.size} (${report.since.from})`)
    for (const e of report.entries) this.out(`entry ${e.index} included: ${JSON.stringify(e.entry)}`)
    this.note(`fetched ${report.fetched.bytes} bytes in ${report.fetched.requests} requests`)
    this.out(report.ok ? 'ok' : `FAILED: ${report.errors.length} problem(s)`)
    if (!report.ok) process.exitCode = ExitCode.notOk
    return report
  }
}

/** `--origin`, else `audit.origin`, else what `audit checkpoint` names a trusted key's log. */
function expectedOrigins(origin: string | undefined, trusted: TrustedKey[]): string[] {
  return origin ? [origin] : [...new Set(trusted.map((t) => defaultOrigin(t.verifier.name)))]
}

function readSince(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    throw usageError(
      'AUDIT_NO_SINCE_CHECKPOINT',
      `cannot read --since-checkpoint ${file}`,
      'Give a checkpoint note file kept from an earlier verify (checkpoints/<size>.note).',
    )
  }
}
