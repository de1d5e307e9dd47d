import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { canonicalBytes, canonicalJson } from '../../../src/audit/canonical-json.js'
import { REPO_ROOT } from '../../helpers/cli.js'

const FIXTURES = join(REPO_ROOT, 'test/fixtures/audit')

// Examples from RFC 8785 (JSON Canonicalization Scheme).
describe('canonicalJson (RFC 8785)', () => {
  it('serialises the §3.2.2 example exactly', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
        '"literals": [null, true, false]}',
    )
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    )
  })

  it('sorts keys by UTF-16 code units (§3.2.3)', () => {
    const input = JSON.parse(
      '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One",' +
        ' "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control", "\\u00f6": "Latin Small Letter O With Diaeresis"}',
    )
    // Object.keys would list "1" first (integer-like keys), so read the order from the text itself.
    const values = [...canonicalJson(input).matchAll(/":"([^"]+)"/g)].map((m) => m[1])
    expect(values).toEqual([
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ])
  })

  // Appendix B (IEEE 754 bit patterns and the number text JCS requires) and further edges, shared with the
  // Python emitter's tests.
  const { numbers } = JSON.parse(readFileSync(join(FIXTURES, 'jcs-vectors.json'), 'utf8')) as {
    numbers: { appendixB: Array<[string, string]>; edges: Array<[string, string, string]> }
  }
  it.each([...numbers.appendixB, ...numbers.edges.map(([bits, text]) => [bits, text])])(
    'number with bits %s is %s',
    (bits, text) => {
      const value = Buffer.from(bits as string, 'hex').readDoubleBE(0)
      expect(canonicalJson(value)).toBe(text)
    },
  )

  // The test data of the RFC's author's reference implementation (see the fixture's README).
  it.each(['arrays', 'french', 'structures', 'unicode', 'values', 'weird'])(
    'canonicalises the reference test file %s.json',
    (name) => {
      const input = readFileSync(join(FIXTURES, 'jcs-cyberphone', 'input', `${name}.json`), 'utf8')
      const output = readFileSync(join(FIXTURES, 'jcs-cyberphone', 'output', `${name}.json`))
      expect(canonicalBytes(JSON.parse(input))).toEqual(output)
    },
  )

  it('refuses what JSON cannot carry', () => {
    for (const bad of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      undefined,
      () => 1,
      '\ud800',
      { a: undefined },
    ]) {
      expect(() => canonicalJson(bad)).toThrow(/canonical JSON/)
    }
  })

  it('nests arrays and objects without whitespace', () => {
    expect(canonicalJson({ b: [1, { d: 'x', c: null }], a: {} })).toBe('{"a":{},"b":[1,{"c":null,"d":"x"}]}')
  })
})

describe('canonicalJson fast path', () => {
  it('gives the same text whatever the key order, and round-trips', async () => {
    const fc = (await import('fast-check')).default
    const reverseKeys = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(reverseKeys)
      if (v && typeof v === 'object')
        return Object.fromEntries(
          Object.entries(v)
            .reverse()
            .map(([k, x]) => [k, reverseKeys(x)]),
        )
      return v
    }
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value)
        expect(canonicalJson(reverseKeys(value))).toBe(text)
        expect(canonicalJson(JSON.parse(text))).toBe(text)
      }),
      { numRuns: 300 },
    )
  })

  it('still refuses non-JSON values inside sorted objects', () => {
    expect(() => canonicalJson({ a: 1, b: Number.NaN })).toThrow(/canonical JSON/)
    expect(() => canonicalJson({ a: '\udc00' })).toThrow(/canonical JSON/)
    expect(canonicalJson({ a: [1, { b: 2 }], c: 'x' })).toBe('{"a":[1,{"b":2}],"c":"x"}')
    expect(canonicalJson({ '10': 1, '9': 2 })).toBe('{"10":1,"9":2}')
  })
})

describe('inCanonicalOrder', () => {
  it('sorts keys at every level and keeps a "__proto__" key as data', async () => {
    const { inCanonicalOrder } = await import('../../../src/audit/canonical-json.js')
    const value = JSON.parse('{"b":1,"a":[{"d":1,"c":2}],"__proto__":{"x":1}}')
    const ordered = inCanonicalOrder(value)
    expect(JSON.stringify(ordered)).toBe(canonicalJson(value))
    expect(canonicalJson(value)).toBe('{"__proto__":{"x":1},"a":[{"c":2,"d":1}],"b":1}')
  })
})
