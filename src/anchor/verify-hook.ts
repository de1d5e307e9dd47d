import type { VerifyReport } from '../audit/verify.js'
import { loadProjectConfig } from '../core/config.js'
import { type AnchorCheck, verifyAnchors } from './verify-anchors.js'

/**
 * The hook `goblin audit verify` calls after verifying the ledger: checks the anchors in the same ledger
 * directory and folds their problems into the report (so a receipt for another root fails the run, exit 1).
 */
export async function withAnchorChecks(
  report: VerifyReport,
  ledgerDir: string,
  options: { online?: boolean; bitcoinSource?: string },
): Promise<VerifyReport & { anchors: AnchorCheck[] }> {
  const { config } = loadProjectConfig()
  const result = await verifyAnchors(ledgerDir, {
    online: options.online ?? false,
    config: config.anchor,
    bitcoinSource: options.bitcoinSource,
  })
  return {
    ...report,
    ok: report.ok && result.errors.length === 0,
    errors: [...report.errors, ...result.errors],
    anchors: result.anchors,
  }
}

/** One line of human output for an anchor's verification. */
export function describeAnchor(a: AnchorCheck): string {
  const parts = [`anchor size ${a.size}:`]
  if (a.ots) {
    const verified = a.ots.attestations.find((x) => x.status === 'verified')
    parts.push(
      a.ots.status === 'verified' && verified
        ? `ots verified (${verified.detail})`
        : a.ots.status === 'unchecked'
          ? 'ots path replayed to a Bitcoin attestation (check --online)'
          : `ots ${a.ots.status}`,
    )
  }
  if (a.ethereum) parts.push(`ethereum ${a.ethereum.status} (${a.ethereum.detail})`)
  return parts.join(' ')
}

/** Opens `s3://B/P` (the log `goblin audit push` stored) as a temporary ledger directory to verify. */
export async function openLedgerSource(source: string, endpoint: string | undefined) {
  const { config } = loadProjectConfig()
  const { openBucketLedger } = await import('./s3-pull.js')
  return openBucketLedger(source, {
    endpoint: endpoint ?? config.anchor.s3.endpoint,
    region: config.anchor.s3.region,
  })
}
