import * as Flags from '@oclif/core/flags'
import { resolveAuditLocations } from '../../src/audit/locations.js'
import { GoblinCommand } from '../../src/cli/base-command.js'
import { ledgerFlag } from '../../src/cli/flags.js'
import { startProgress } from '../../src/cli/progress.js'
import { loadProjectConfig } from '../../src/core/config.js'
import { usageError } from '../../src/core/errors.js'

export default class AuditPush extends GoblinCommand {
  static override summary = 'Store the sealed audit log in an S3 bucket with Object Lock'
  static override description =
    'Uploads the ledger cut into segments sealed by its checkpoints (log/<from>-<to>.jsonl), the checkpoints, .ots proofs and anchor receipts, each with Object Lock retention and a SHA-256 checksum. Only what is missing is uploaded, so re-running resumes a partial push. A bucket without Object Lock is refused before anything is uploaded (exit 2). Credentials come from the standard AWS chain and are never printed.'
  static override examples = [
    '<%= config.bin %> audit push --bucket acme-audit --prefix prod',
    '<%= config.bin %> audit push --bucket audit --endpoint http://127.0.0.1:9000 --mode governance --retention-days 30 --json',
  ]
  static override flags = {
    bucket: Flags.string({ description: 'the bucket (default: anchor.s3.bucket)' }),
    prefix: Flags.string({ description: 'key prefix (default: anchor.s3.prefix, "goblin-audit")' }),
    'retention-days': Flags.integer({
      description: 'Object Lock retention in days (default: anchor.s3.retention_days, 365)',
      min: 1,
    }),
    mode: Flags.string({
      description: 'Object Lock mode (default: anchor.s3.mode, compliance)',
      options: ['compliance', 'governance'],
    }),
    endpoint: Flags.string({
      description: 'an S3-compatible endpoint URL (default: anchor.s3.endpoint, else AWS)',
    }),
    ledger: ledgerFlag,
  }

  async run() {
    const { flags } = await this.parse(AuditPush)
    const where = resolveAuditLocations({ ledger: flags.ledger })
    const s3 = loadProjectConfig().config.anchor.s3
    const bucket = flags.bucket ?? s3.bucket
    if (!bucket)
      throw usageError(
        'S3_NO_BUCKET_GIVEN',
        'no bucket given',
        'Pass --bucket or set anchor.s3.bucket in goblin.config.json.',
      )
    const { pushLedger } = await import('../../src/anchor/s3-push.js')
    const progress = startProgress(this.stderrFacts)
    const report = await pushLedger(where.ledgerDir, {
      bucket,
      prefix: flags.prefix ?? s3.prefix,
      endpoint: flags.endpoint ?? s3.endpoint,
      region: s3.region,
      retentionDays: flags['retention-days'] ?? s3.retention_days,
      mode: (flags.mode as 'compliance' | 'governance' | undefined) ?? s3.mode,
      onUpload: (done, total) =>
        progress.update(`uploading to s3://${bucket}: ${done} of ${total} objects sent`),
    }).finally(() => progress.done())
    for (const o of report.objects.filter((o) => o.status !== 'present'))
      this.out(`${o.status}: ${o.key} (${o.bytes} bytes)`)
    this.out(
      `s3://${report.bucket}/${report.prefix}: ${report.uploaded} uploaded, ${report.present} already there; ${report.mode} retention until ${report.retain_until}`,
    )
    return report
  }
}
