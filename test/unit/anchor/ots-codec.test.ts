import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  OTS_MAGIC,
  parseOts,
  parseTimestamp,
  serializeOts,
  serializeTimestamp,
} from '../../../src/anchor/ots-codec.js'
import { GoblinError } from '../../../src/core/errors.js'

const FIXTURES = join(import.meta.dirname, '../../fixtures/anchor/ots')
const fixture = (name: string) => readFileSync(join(FIXTURES, name))
const REFERENCE_PROOFS = [
  'incomplete.txt.ots',
  'two-calendars.txt.ots',
  'hello-world.txt.ots',
  'incomplete-upgraded.txt.ots',
  'different-blockchains.txt.ots',
]

describe('OpenTimestamps codec against the reference client’s proof files', () => {
  it.each(REFERENCE_PROOFS)('%s parses and serializes back to the same bytes', (name) => {
    const bytes = fixture(name)
    const proof = parseOts(bytes, name)
    expect(Buffer.from(serializeOts(proof)).equals(bytes)).toBe(true)
  })

  it('reads the file digest: the SHA-256 of the stamped file', () => {
    for (const stem of ['hello-world.txt', 'incomplete.txt']) {
      const proof = parseOts(fixture(`${stem}.ots`))
      expect(proof.fileHashOp).toBe('sha256')
      expect(Buffer.from(proof.digest).toString('hex')).toBe(
        createHash('sha256').update(fixture(stem)).digest('hex'),
      )
    }
  })

  it('reads the attestations: pending calendars, Bitcoin heights, Ethereum', () => {
    const two = parseOts(fixture('two-calendars.txt.ots'))
    const uris: string[] = []
    const walk = (n: typeof two.timestamp): void => {
      for (const a of n.attestations) if (a.kind === 'pending') uris.push(a.uri)
      for (const o of n.ops) walk(o.next)
    }
    walk(two.timestamp)
    expect(uris.sort()).toEqual([
      'https://alice.btc.calendar.opentimestamps.org',
      'https://bob.btc.calendar.opentimestamps.org',
    ])
  })

  it('serializes children in the reference order whatever order they were built in', () => {
    const proof = parseOts(fixture('two-calendars.txt.ots'))
    proof.timestamp.ops.reverse()
    for (const o of proof.timestamp.ops) o.next.ops.reverse()
    expect(Buffer.from(serializeOts(proof)).equals(fixture('two-calendars.txt.ots'))).toBe(true)
  })

  it('keeps an unknown attestation byte for byte', () => {
    const node = parseTimestamp(Buffer.from('00' + 'aabbccddeeff0011' + '03' + '010203', 'hex'))
    expect(node.attestations[0]).toMatchObject({ kind: 'unknown', tag: 'aabbccddeeff0011' })
    expect(Buffer.from(serializeTimestamp(node)).toString('hex')).toBe('00aabbccddeeff001103010203')
  })
})

describe('corrupt .ots files are clear exit-2 errors', () => {
  const good = fixture('hello-world.txt.ots')
  const cases: [string, Buffer, RegExp][] = [
    ['empty', Buffer.alloc(0), /bad magic/],
    [
      'bad magic',
      Buffer.concat([Buffer.from('not an ots file at all, sorry!!'), good.subarray(31)]),
      /bad magic/,
    ],
    ['truncated', good.subarray(0, good.length - 5), /truncated/],
    ['trailing bytes', Buffer.concat([good, Buffer.from([0x08])]), /trailing/],
    ['version 2', Buffer.concat([OTS_MAGIC, Buffer.from([2]), good.subarray(32)]), /major version 2/],
    [
      'unknown file-hash op',
      Buffer.concat([OTS_MAGIC, Buffer.from([1, 0x09]), good.subarray(33)]),
      /file-hash op 0x09/,
    ],
    [
      'unknown operation',
      Buffer.concat([good.subarray(0, 65), Buffer.from([0x04]), good.subarray(66)]),
      /unknown operation 0x04 at byte 65/,
    ],
  ]
  it.each(cases)('%s', (_, bytes, message) => {
    let error: unknown
    try {
      parseOts(bytes, 'root.ots')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(GoblinError)
    expect((error as GoblinError).exit).toBe(2)
    expect((error as GoblinError).code).toBe('OTS_MALFORMED')
    expect((error as GoblinError).message).toMatch(/^root\.ots: /)
    expect((error as GoblinError).message).toMatch(message)
  })
})
