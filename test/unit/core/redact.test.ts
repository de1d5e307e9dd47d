import { describe, expect, it } from 'vitest'
import { formatSignerKey } from '../../../src/audit/signed-note.js'
import { containsSigningKey, redactSecrets } from '../../../src/core/redact.js'

const seed = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1)
const skey = formatSignerKey('ci', seed)
const seedText = skey.split('+').slice(4).join('+')

describe('redactSecrets', () => {
  it('removes a signing key seed, keeping its public name and hash', () => {
    const out = redactSecrets(`no key named ${skey} in the keyring`)
    expect(out).not.toContain(seedText)
    expect(out).toMatch(/^no key named PRIVATE\+KEY\+ci\+[0-9a-f]{8}\+\[redacted\] in the keyring$/)
    expect(containsSigningKey(skey)).toBe(true)
  })

  it('removes a mangled signing key (hash cut off, quotes around it)', () => {
    const mangled = `PRIVATE+KEY+ci+${seedText}`
    const out = redactSecrets(`invalid key name "${mangled}"`)
    expect(out).toBe('invalid key name "PRIVATE+KEY+[redacted]"')
  })

  it('leaves the format description of a signing key readable', () => {
    expect(redactSecrets('expected PRIVATE+KEY+name+hash+key')).toBe('expected PRIVATE+KEY+name+hash+key')
  })

  it('removes URL userinfo for any scheme, and key-like query parameter values', () => {
    expect(redactSecrets('cannot reach http://user:hunter2@127.0.0.1:9/x?api_key=s3cr3t&limit=5')).toBe(
      'cannot reach http://[redacted]@127.0.0.1:9/x?api_key=[redacted]&limit=5',
    )
    expect(redactSecrets('rpc+http://bitcoin:wrong@127.0.0.1:8332 refused')).toBe(
      'rpc+http://[redacted]@127.0.0.1:8332 refused',
    )
    expect(
      redactSecrets('https://b.s3.amazonaws.com/o?X-Amz-Credential=AKIA1%2F&X-Amz-Signature=abc&x=1'),
    ).toBe('https://b.s3.amazonaws.com/o?X-Amz-Credential=[redacted]&X-Amz-Signature=[redacted]&x=1')
    expect(redactSecrets('http://127.0.0.1:3200/api/search?tags=a%3Db&limit=20')).toBe(
      'http://127.0.0.1:3200/api/search?tags=a%3Db&limit=20',
    )
  })
})
