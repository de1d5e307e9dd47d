import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  generateKey,
  keyringSigningSession,
  loadKeyring,
  loadSigner,
  revokeKey,
  rotateKey,
} from '../../../src/audit/keyring.js'
import { appendEvents } from '../../../src/audit/ledger.js'
import { parseSignerKey, parseVerifierKey } from '../../../src/audit/signed-note.js'
import { resolveTrustedKeys } from '../../../src/audit/trust.js'
import { verifyLedger } from '../../../src/audit/verify.js'
import { auditDirs, events } from './audit-fixture.js'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})
function dirs() {
  const d = auditDirs()
  cleanups.push(d.home.cleanup)
  return d
}
const at = (iso: string) => () => new Date(iso)

describe('keyring', () => {
  it('writes a 0600 private key and a verifier key in signed-note form; refuses to overwrite', async () => {
    const { keysDir } = dirs()
    const { record, path } = await generateKey(keysDir, 'ci')
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(parseVerifierKey(record.vkey).name).toBe('ci')
    expect(record.kid).toMatch(/^ci\+[0-9a-f]{8}$/)
    expect(readFileSync(join(keysDir, 'keyring.json'), 'utf8')).not.toContain('PRIVATE')
    await expect(generateKey(keysDir, 'ci')).rejects.toMatchObject({ code: 'AUDIT_KEY_EXISTS', exit: 2 })
    expect(loadKeyring(keysDir).keys).toHaveLength(1)
    const forced = await generateKey(keysDir, 'ci', { force: true })
    const keys = loadKeyring(keysDir).keys
    expect(keys.map((k) => k.kid)).toEqual([record.kid, forced.record.kid])
    expect(keys[0]?.valid_until).not.toBeNull()
    for (const bad of ['bad name', '../up', 'a//b', '/abs', 'trailing/', 'x'.repeat(129)])
      await expect(generateKey(keysDir, bad)).rejects.toMatchObject({ code: 'AUDIT_BAD_KEY_NAME' })
    // A key named as its log's origin (C2SP tlog-policy): the '/' never reaches the file system.
    const origin = await generateKey(keysDir, 'example.com/audit')
    expect(origin.path).toBe(join(keysDir, 'example.com~audit.key'))
    expect(origin.record.vkey).toMatch(/^example\.com\/audit\+[0-9a-f]{8}\+/)
  })

  it('keeps verifying entries of a rotated key, and rejects what it signs after rotation', async () => {
    const { keysDir, ledgerDir } = dirs()
    await generateKey(keysDir, 'ci', { now: new Date('2020-01-01T00:00:00.000Z') })
    const first = loadSigner(keysDir).signer
    await appendEvents(ledgerDir, events(2), first, { now: at('2020-02-01T00:00:00.000Z') })
    const { retired, current } = await rotateKey(keysDir, 'ci', new Date('2020-03-01T00:00:00.000Z'))
    expect(existsSync(join(keysDir, `${retired.kid}.retired.key`))).toBe(true)
    expect(loadSigner(keysDir).record.kid).toBe(current.record.kid)
    await appendEvents(ledgerDir, events(2), loadSigner(keysDir).signer, {
      now: at('2020-04-01T00:00:00.000Z'),
    })
    const trusted = () => resolveTrustedKeys({ keysDir })
    expect((await verifyLedger(ledgerDir, trusted())).ok).toBe(true)

    // Someone still holding the retired key signs after its retirement.
    const stolen = parseSignerKey(readFileSync(join(keysDir, `${retired.kid}.retired.key`), 'utf8'))
    await appendEvents(ledgerDir, events(1), stolen, { now: at('2020-05-01T00:00:00.000Z') })
    // And an entry dated before the new key existed.
    await appendEvents(ledgerDir, events(1), loadSigner(keysDir).signer, {
      now: at('2019-12-01T00:00:00.000Z'),
    })
    const report = await verifyLedger(ledgerDir, trusted())
    expect(report.errors).toEqual([
      expect.objectContaining({
        seq: 4,
        line: 5,
        kind: 'key-outside-window',
        message: expect.stringContaining('retired'),
      }),
      expect.objectContaining({
        seq: 5,
        line: 6,
        kind: 'key-outside-window',
        message: expect.stringContaining('valid only from'),
      }),
    ])
  })

  it('rejects entries signed at or after revocation, keeps those before, and refuses to sign with a revoked key', async () => {
    const { keysDir, ledgerDir } = dirs()
    await generateKey(keysDir, 'ci', { now: new Date('2020-01-01T00:00:00.000Z') })
    const signer = loadSigner(keysDir).signer
    await appendEvents(ledgerDir, events(1), signer, { now: at('2020-02-01T00:00:00.000Z') })
    await appendEvents(ledgerDir, events(1), signer, { now: at('2020-04-01T00:00:00.000Z') })
    const revoked = await revokeKey(keysDir, 'ci', new Date('2020-03-01T00:00:00.000Z'))
    expect(revoked.revoked_at).toBe('2020-03-01T00:00:00.000Z')
    const report = await verifyLedger(ledgerDir, resolveTrustedKeys({ keysDir }))
    expect(report.errors).toEqual([expect.objectContaining({ seq: 1, line: 2, kind: 'revoked-key' })])
    expect(() => loadSigner(keysDir, 'ci')).toThrow(/revoked and cannot sign/)
    expect(() => loadSigner(keysDir)).toThrow(/no active signing key/)
    await expect(revokeKey(keysDir, 'nope')).rejects.toMatchObject({ code: 'AUDIT_UNKNOWN_KEY' })

    // The exported keyring carries the windows; a bare --key does not.
    const exported = join(ledgerDir, 'keyring.json')
    writeFileSync(exported, JSON.stringify(loadKeyring(keysDir)))
    const viaFile = await verifyLedger(
      ledgerDir,
      resolveTrustedKeys({ keyringFile: exported, keysDir: '/nonexistent' }),
    )
    expect(viaFile.errors.map((e) => e.kind)).toEqual(['revoked-key'])
    const bare = await verifyLedger(
      ledgerDir,
      resolveTrustedKeys({ vkeys: [revoked.vkey], keysDir: '/nonexistent' }),
    )
    expect(bare.ok).toBe(true)
  })

  it('asks which key signs when several are active', async () => {
    const { keysDir } = dirs()
    await generateKey(keysDir, 'a')
    await generateKey(keysDir, 'b')
    expect(() => loadSigner(keysDir)).toThrow(/several active keys/)
    expect(loadSigner(keysDir, 'b').record.name).toBe('b')
  })

  it('refuses a malformed keyring file with its path', () => {
    const { keysDir } = dirs()
    const exported = join(keysDir, '..', 'bad.json')
    writeFileSync(exported, '{"version":1,"keys":[{"name":"x"}]}')
    expect(() => resolveTrustedKeys({ keyringFile: exported, keysDir })).toThrow(/bad\.json: keys\.0/)
  })
})

describe('a key rotated after a signing session was made', () => {
  it('signs with the successor, not the key loaded earlier', async () => {
    const { keysDir, ledgerDir } = dirs()
    await generateKey(keysDir, 'ci')
    const session = keyringSigningSession(keysDir)
    const { current } = await rotateKey(keysDir, 'ci')
    const [entry] = await appendEvents(ledgerDir, events(1), session)
    expect(entry?.envelope.kid).toBe(current.record.kid)
    expect((await verifyLedger(ledgerDir, resolveTrustedKeys({ keysDir }))).errors).toEqual([])
  })
})
