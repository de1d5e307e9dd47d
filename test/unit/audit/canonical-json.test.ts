import { describe, expect, it } from 'vitest'
import { canonicalJson } from '../../../src/audit/canonical-json.js'

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

  // Appendix B: IEEE 754 bit patterns and the number text JCS requires.
  const numbers: Array<[string, string]> = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ]
  it.each(numbers)('number with bits %s is %s', (bits, text) => {
    const value = Buffer.from(bits, 'hex').readDoubleBE(0)
    expect(canonicalJson(value)).toBe(text)
  })

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
