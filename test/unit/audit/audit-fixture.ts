import { join } from 'node:path'
import { createCheckpoint } from '../../../src/audit/checkpoint-store.js'
import type { AuditEvent } from '../../../src/audit/envelope.js'
import { generateKey, loadKeyring, loadSigner } from '../../../src/audit/keyring.js'
import { appendEvents } from '../../../src/audit/ledger.js'
import { resolveTrustedKeys } from '../../../src/audit/trust.js'
import { verifyLedger } from '../../../src/audit/verify.js'
import { tempDir } from '../../helpers/cli.js'

/** A keys dir and a ledger dir in a fresh temp directory (test stand-in for GOBLIN_HOME). */
export function auditDirs() {
  const home = tempDir('goblin-audit-')
  return { home, keysDir: join(home.path, 'keys'), ledgerDir: join(home.path, 'audit') }
}

/** `n` distinct events. */
export function events(n: number, prefix = 'e'): AuditEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    goblin_id: `goblin-${i % 3}`,
    action: `${prefix}.action.${i}`,
    decision: i % 2 === 0 ? 'allow' : 'deny',
    trace_id: i % 4 === 0 ? null : i.toString(16).padStart(32, 'a'),
    ...(i % 5 === 0 ? { attrs: { n: i, tag: `t${i}`, nested: { sig: 'x', ok: true } } } : {}),
  }))
}

/** A ledger of `entries` entries signed by a fresh key, with checkpoints at each size in `checkpointsAt`. */
export async function buildLedger(entries: number, checkpointsAt: number[]) {
  const dirs = auditDirs()
  await generateKey(dirs.keysDir, 'test')
  const { signer } = loadSigner(dirs.keysDir)
  let written = 0
  for (const size of [...checkpointsAt, entries].sort((a, b) => a - b)) {
    if (size > written) await appendEvents(dirs.ledgerDir, events(size - written, `b${written}`), signer)
    written = Math.max(written, size)
    if (checkpointsAt.includes(size)) await createCheckpoint(dirs.ledgerDir, signer, 'goblin/test')
  }
  const verify = () => verifyLedger(dirs.ledgerDir, resolveTrustedKeys({ keysDir: dirs.keysDir }))
  return { ...dirs, signer, verify, keyring: () => loadKeyring(dirs.keysDir) }
}
