import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { AuditEvent } from '../../../src/audit/envelope.js'
import { sealEntry, signedBytes } from '../../../src/audit/envelope.js'
import { keyLabel, parseSignerKey } from '../../../src/audit/signed-note.js'
import { isGoblinError } from '../../../src/core/errors.js'
import { logsEndpoint, otlpHeaders } from '../../../src/telemetry/audit-transport.js'
import { REPO_ROOT } from '../../helpers/cli.js'

// The vectors python/goblin_audit is tested against too (python/tests/test_envelope.py, test_otlp.py):
// both emitters must give these bytes, signatures, endpoints and headers.
const FIXTURES = join(REPO_ROOT, 'test/fixtures/audit')
const jcs = JSON.parse(readFileSync(join(FIXTURES, 'jcs-vectors.json'), 'utf8')) as {
  signer: { signerKey: string; publicKey: string; kid: string; vkey: string }
  envelopes: Array<{
    name: string
    seq: number
    ts: string
    event: AuditEvent
    signed: string
    sig: string
    line: string
  }>
}
type Env = Record<string, string>
const env = JSON.parse(readFileSync(join(FIXTURES, 'otlp-env-vectors.json'), 'utf8')) as {
  endpoints: Array<{ name: string; env: Env; explicit?: string; expected: string }>
  badEndpoints: Array<{ name: string; env: Env; explicit?: string }>
  headers: Array<{ name: string; env: Env; explicit?: Env; expected: Env }>
  badHeaders: Array<{ name: string; env: Env; explicit?: Env; header: string }>
}

describe('the shared audit emitter vectors', () => {
  it('the vector key is RFC 8032 TEST 1', () => {
    const signer = parseSignerKey(jcs.signer.signerKey)
    expect(signer.publicKey.toString('hex')).toBe(
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    )
    expect(keyLabel(signer.name, signer.keyId)).toBe(jcs.signer.kid)
    expect(signer.vkey).toBe(jcs.signer.vkey)
  })

  it.each(jcs.envelopes.map((v) => [v.name, v] as const))('seals "%s" byte for byte', (_name, vector) => {
    const signer = parseSignerKey(jcs.signer.signerKey)
    const { envelope, bytes } = sealEntry(vector.event, vector.seq, new Date(vector.ts), signer)
    expect(signedBytes(envelope).toString('utf8')).toBe(vector.signed)
    expect(envelope.sig).toBe(vector.sig)
    expect(bytes.toString('utf8')).toBe(vector.line)
  })

  it.each(env.endpoints.map((v) => [v.name, v] as const))('endpoint: %s', (_name, vector) => {
    expect(logsEndpoint(vector.explicit, vector.env)).toBe(vector.expected)
  })

  it.each(env.badEndpoints.map((v) => [v.name, v] as const))('refuses the endpoint: %s', (_name, vector) => {
    expect(() => logsEndpoint(vector.explicit, vector.env)).toThrow(/is not an http\(s\) URL/)
  })

  it.each(env.headers.map((v) => [v.name, v] as const))('headers: %s', (_name, vector) => {
    expect(otlpHeaders(vector.explicit, vector.env)).toEqual(vector.expected)
  })

  it.each(env.badHeaders.map((v) => [v.name, v] as const))('refuses the headers: %s', (_name, vector) => {
    let thrown: unknown
    try {
      otlpHeaders(vector.explicit, vector.env)
    } catch (error) {
      thrown = error
    }
    expect(isGoblinError(thrown) && thrown.code).toBe('AUDIT_BAD_HEADER')
    expect((thrown as Error).message).toContain(`"${vector.header}"`)
    expect((thrown as Error).message).not.toContain('Host')
  })
})
