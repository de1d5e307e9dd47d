import { afterEach, describe, expect, it } from 'vitest'
import { cosign, cosignerFromSeed, verifyCosignatures } from '../../../src/audit/cosignature.js'
import { checkQuorum, parsePolicy } from '../../../src/audit/policy.js'
import {
  ALG_COSIGNATURE_V1,
  formatVerifierKey,
  parseVerifierKey,
  splitNote,
} from '../../../src/audit/signed-note.js'
import {
  formatTlogProof,
  parseTlogProof,
  proveEntryBundle,
  verifyTlogProof,
} from '../../../src/audit/tlog-proof.js'
import { resolveTrustedKeys } from '../../../src/audit/trust.js'
import { buildLedger } from './audit-fixture.js'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

// The spec's example (c2sp.org/tlog-proof), signatures elided there as here.
const SPEC_EXAMPLE = `c2sp.org/tlog-proof@v1
extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6
index 73894
gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=
B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=
EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=
RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=
AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=

example.com/fancylog
109482
sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=

— example.com/fancylog hI2DJw==
`

describe('c2sp.org/tlog-proof', () => {
  it('parses the spec’s example and formats it back byte for byte', () => {
    const proof = parseTlogProof(SPEC_EXAMPLE, 'example.tlog-proof')
    expect(proof.index).toBe(73894)
    expect(proof.proof).toHaveLength(5)
    expect(proof.extra?.toString()).toBe('age-v1.2.1-darwin-arm64.tar.gz')
    expect(proof.checkpoint.startsWith('example.com/fancylog\n109482\n')).toBe(true)
    expect(formatTlogProof(proof)).toBe(SPEC_EXAMPLE)
  })

  it('names the malformed line', () => {
    const bad = (text: string) => () => parseTlogProof(text, 'p')
    expect(bad(SPEC_EXAMPLE.replace('@v1', '@v2'))).toThrow(/^p:1: the first line/)
    expect(bad(SPEC_EXAMPLE.replace('index 73894', 'index 073894'))).toThrow(/^p:3: expected "index N"/)
    expect(bad(SPEC_EXAMPLE.replace('B95lDa8R', 'B95lDa8'))).toThrow(/^p:5: a proof line/)
    expect(bad('c2sp.org/tlog-proof@v1\nindex 1\n')).toThrow(/no blank line/)
  })

  it('proves an entry of a ledger and verifies it offline; a changed entry, proof or checkpoint fails with its kind', async () => {
    const l = await buildLedger(600, [600])
    cleanups.push(l.home.cleanup)
    const trusted = resolveTrustedKeys({ keysDir: l.keysDir })
    const text = await proveEntryBundle(l.ledgerDir, 300, trusted)
    const proof = parseTlogProof(text, 'p')
    expect(JSON.parse((proof.extra as Buffer).toString())).toMatchObject({ seq: 300 })
    expect(verifyTlogProof(proof, { trusted, where: 'p' })).toMatchObject({
      ok: true,
      checkpoint: { size: 600 },
    })
    const forged = {
      ...proof,
      extra: Buffer.from(
        (proof.extra as Buffer)
          .toString()
          .replace('"allow"', '"deny"')
          .replace('"deny"', '"allow"')
          .replace('goblin-', 'goblim-'),
      ),
    }
    expect(verifyTlogProof(forged, { trusted, where: 'p' }).errors.map((e) => e.kind)).toEqual([
      'bad-signature',
      'not-included',
    ])
    const moved = { ...proof, index: 301 }
    expect(verifyTlogProof(moved, { trusted, where: 'p' }).errors.map((e) => e.kind)).toEqual([
      'reorder',
      'not-included',
    ])
    const otherLog = verifyTlogProof(proof, { trusted, origins: ['example.com/other'], where: 'p' })
    expect(otherLog.errors.map((e) => e.kind)).toEqual(['checkpoint-origin'])
    await expect(proveEntryBundle(l.ledgerDir, 600, trusted)).rejects.toMatchObject({
      code: 'AUDIT_BAD_INDEX',
    })
  })
})

describe('c2sp.org/tlog-cosignature and tlog-policy', () => {
  const w = [1, 2, 3, 4].map((n) => {
    const signer = cosignerFromSeed(`witness${n}.example`, Buffer.alloc(32, n))
    return { signer, vkey: signer.vkey }
  })
  const note =
    'example.com/audit\n5\nsFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n\n— example.com/audit AAAAAAAA\n'
  const text = splitNote(note).text
  const cosigned = (...which: number[]) =>
    note + which.map((i) => cosign(text, (w[i] as (typeof w)[number]).signer, 1_700_000_000 + i)).join('')

  it('signs and verifies cosignature/v1 lines with their timestamps; a changed timestamp fails', () => {
    const verifiers = w.map((x) => parseVerifierKey(x.vkey, ALG_COSIGNATURE_V1))
    const signed = cosigned(0, 1)
    expect(verifyCosignatures(signed, verifiers).verified.map((c) => [c.name, c.timestamp])).toEqual([
      ['witness1.example', 1_700_000_000],
      ['witness2.example', 1_700_000_001],
    ])
    const line = signed.trimEnd().split('\n').at(-1) as string
    const blob = Buffer.from(line.split(' ')[2] as string, 'base64')
    blob.writeBigUInt64BE(1_700_000_999n, 4)
    const retimed = signed.replace(
      line,
      `${line.split(' ').slice(0, 2).join(' ')} ${blob.toString('base64')}`,
    )
    expect(verifyCosignatures(retimed, verifiers).failed.map((c) => c.name)).toEqual(['witness2.example'])
  })

  it('parses the spec’s nested-group example and evaluates its quorum', () => {
    const policy = parsePolicy(
      `# two organisations
log ${formatVerifierKey('example.com/audit', Buffer.alloc(32, 9))}
witness X1 ${w[0]?.vkey}
witness X2 ${w[1]?.vkey}
witness Y1 ${w[2]?.vkey}  https://y1.example/
witness Y2 ${w[3]?.vkey}
group X-witnesses 2 X1 X2
group Y-witnesses any Y1 Y2
group X-and-Y all X-witnesses Y-witnesses
quorum X-and-Y
`,
      'p',
    )
    expect(checkQuorum(policy, cosigned(0, 1)).ok).toBe(false)
    expect(checkQuorum(policy, cosigned(0, 2)).ok).toBe(false)
    expect(checkQuorum(policy, cosigned(0, 1, 3))).toMatchObject({ ok: true, witnessed: ['X1', 'X2', 'Y2'] })
    expect(parsePolicy('quorum none\n', 'p').quorum).toBe('none')
  })

  it('refuses what the spec forbids, naming the line', () => {
    const bad = (text: string) => () => parsePolicy(text, 'p.policy')
    expect(bad(`witness A ${w[0]?.vkey}\n`)).toThrow(/^p.policy: no quorum line/)
    expect(bad(`quorum A\n`)).toThrow(/^p.policy:1: A is not defined on an earlier line/)
    expect(bad(`witness A ${w[0]?.vkey}\nwitness B ${w[0]?.vkey}\nquorum A\n`)).toThrow(
      /^p.policy:2: this public key is listed twice/,
    )
    expect(bad(`witness A ${w[0]?.vkey}\ngroup G 2 A\nquorum G\n`)).toThrow(/^p.policy:2: the threshold 2/)
    expect(bad(`witness A ${w[0]?.vkey}\ngroup G any A A\nquorum G\n`)).toThrow(/a member is listed twice/)
    expect(bad(`witness A ${formatVerifierKey('a.example', Buffer.alloc(32, 1))}\nquorum A\n`)).toThrow(
      /^p.policy:1: .*signature type 0x01, not 0x04/,
    )
    expect(bad('quorum none\nquorum none\n')).toThrow(/^p.policy:2: a second quorum/)
    expect(bad('frobnicate x\nquorum none\n')).toThrow(/^p.policy:1: unknown line "frobnicate"/)
  })
})
