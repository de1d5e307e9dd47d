import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import {
  type EventInput,
  eventFromFlags,
  openEventInput,
  parseEventStream,
  sameDecimal,
} from '../../../src/audit/event-input.js'
import { tempDir } from '../../helpers/cli.js'

const dir = tempDir('goblin-event-input-')
afterAll(() => dir.cleanup())

/** Every event of an opened input, closing it. */
function drain(input: EventInput) {
  try {
    return [...input.events()]
  } finally {
    input.close()
  }
}

/**
 * A batch larger than one read (256 KiB), so lines cross read boundaries, with blank lines, CRLF, a
 * multi-byte character and no final newline.
 */
function bigBatch(n: number): string {
  const lines = Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      goblin_id: `g-${i % 7}`,
      action: `step-${i}`,
      decision: i % 3 ? 'allow' : 'deny',
      attrs: { i, who: i % 11 ? 'José' : 'Zoë', pad: 'x'.repeat(i % 97) },
    }),
  )
  return lines
    .map((line, i) => (i % 500 === 0 ? `${line}\r\n\n` : `${line}\n`))
    .join('')
    .slice(0, -1)
}

describe('event input', () => {
  it('parses a JSONL batch, skipping blank lines', () => {
    const text =
      '{"goblin_id":"a","action":"x","decision":"allow"}\n\n{"goblin_id":"b","action":"y","decision":"deny","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","attrs":{"k":[1,2]}}\r\n'
    expect(parseEventStream(text, 'in.jsonl')).toEqual([
      { goblin_id: 'a', action: 'x', decision: 'allow', trace_id: null },
      {
        goblin_id: 'b',
        action: 'y',
        decision: 'deny',
        trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
        attrs: { k: [1, 2] },
      },
    ])
  })

  it.each([
    [
      '{"goblin_id":"a","action":"x","decision":"allow"}\n{"goblin_id":"a","action":"x"}\n',
      /in\.jsonl:2: missing field "decision"/,
    ],
    [
      '{"goblin_id":"a","action":"x","decision":"allow","trace_id":"XYZ"}\n',
      /in\.jsonl:1: trace_id must be 32 lowercase hex/,
    ],
    [
      '{"goblin_id":"a","action":"x","decision":"allow","trace_id":"00000000000000000000000000000000"}\n',
      /not all zero/,
    ],
    ['{"goblin_id":"a","action":"x","decision":"allow"}\n\nnot json\n', /in\.jsonl:3: not valid JSON/],
    ['{"goblin_id":"a","action":"x","decision":"allow","colour":"red"}\n', /unknown field "colour"/],
    ['[1]\n', /not a JSON object/],
    ['{"goblin_id":"a","action":"x","decision":"allow","attrs":[]}\n', /attrs must be a JSON object/],
    ['\n\n', /no events/],
  ])('refuses %j', (text, message) => {
    expect(() => parseEventStream(text, 'in.jsonl')).toThrow(message)
  })

  it('builds an event from flags', () => {
    expect(eventFromFlags({ goblin: 'g', action: 'a', decision: 'd', attr: ['k=v=w', 'x='] })).toEqual({
      goblin_id: 'g',
      action: 'a',
      decision: 'd',
      trace_id: null,
      attrs: { k: 'v=w', x: '' },
    })
    expect(() => eventFromFlags({ goblin: 'g' })).toThrow(/missing --action, --decision/)
    expect(() => eventFromFlags({ goblin: 'g', action: 'a', decision: 'd', attr: ['novalue'] })).toThrow(
      /key=value/,
    )
    expect(() => eventFromFlags({ goblin: 'g', action: 'a', decision: 'd', traceId: 'abc' })).toThrow(
      /trace_id/,
    )
  })

  it('refuses bytes that are not UTF-8 with the line, instead of signing U+FFFD in their place', () => {
    const good = Buffer.from('{"goblin_id":"a","action":"x","decision":"allow"}\n')
    const bad = Buffer.concat([
      good,
      Buffer.from('{"goblin_id":"caf'),
      Buffer.from([0xe9]),
      Buffer.from('","action":"x","decision":"allow"}\n'),
    ])
    expect(() => parseEventStream(bad, 'in.jsonl')).toThrowError(
      expect.objectContaining({
        code: 'AUDIT_NOT_UTF8',
        exit: 2,
        message: expect.stringMatching(/^in\.jsonl:2: not valid UTF-8 \(near byte 68 /),
      }),
    )
    // The same text correctly encoded is taken as it is.
    const fixed = Buffer.concat([good, Buffer.from('{"goblin_id":"café","action":"x","decision":"allow"}\n')])
    expect(parseEventStream(fixed, 'in.jsonl')[1]?.goblin_id).toBe('café')
  })

  it('refuses a number a double cannot hold exactly, naming the line and both spellings', () => {
    const line = (n: string) => `{"goblin_id":"a","action":"x","decision":"allow","attrs":{"n":${n}}}\n`
    for (const [n, held] of [
      ['12345678901234567890', '12345678901234567000'],
      ['9007199254740993', '9007199254740992'],
      ['0.30000000000000000001', '0.3'],
      ['1e400', 'Infinity'],
    ]) {
      expect(() => parseEventStream(`${line('1')}${line(n as string)}`, 'in.jsonl')).toThrowError(
        expect.objectContaining({
          code: 'AUDIT_INEXACT_NUMBER',
          exit: 2,
          message: `in.jsonl:2: the number ${n} cannot be signed exactly (a JSON double holds it as ${held})`,
        }),
      )
    }
  })

  it('keeps numbers whose value a double holds, however they are spelled', () => {
    const parse = (n: string) =>
      parseEventStream(`{"goblin_id":"a","action":"x","decision":"allow","attrs":{"n":${n}}}`, 'in')[0]?.attrs
        ?.n
    expect(parse('9007199254740991')).toBe(9007199254740991)
    expect(parse('0.1')).toBe(0.1)
    expect(parse('1.0')).toBe(1)
    expect(parse('1.5e3')).toBe(1500)
    expect(parse('-0.000001234')).toBe(-0.000001234)
    expect(parse('123456789012345.6')).toBe(123456789012345.6)
    // A big number as a string keeps every digit.
    expect(parse('"12345678901234567890"')).toBe('12345678901234567890')
  })

  it('compares decimal spellings by value', () => {
    expect(sameDecimal('1.0', '1')).toBe(true)
    expect(sameDecimal('100', '1e2')).toBe(true)
    expect(sameDecimal('0.00120', '0.0012')).toBe(true)
    expect(sameDecimal('-0', '0')).toBe(true)
    expect(sameDecimal('12345678901234567890', '12345678901234567000')).toBe(false)
    expect(sameDecimal('-1', '1')).toBe(false)
  })

  it('reads a file of several chunks, and a stream in any chunks, as the whole batch parses', async () => {
    const text = bigBatch(6000)
    expect(Buffer.byteLength(text)).toBeGreaterThan(3 * 256 * 1024)
    const whole = parseEventStream(text, 'in.jsonl')
    expect(whole).toHaveLength(6000)
    expect(whole[5999]?.action).toBe('step-5999')
    const path = join(dir.path, 'big.jsonl')
    writeFileSync(path, text)
    expect(drain(await openEventInput(path, 'in.jsonl'))).toEqual(whole)
    // A stream cut at odd places, even inside a multi-byte character and inside "\r\n".
    const bytes = Buffer.from(text)
    const chunks: Buffer[] = []
    for (let at = 0, size = 1; at < bytes.length; at += size, size = (size * 7 + 3) % 70_001)
      chunks.push(bytes.subarray(at, at + size))
    const input = await openEventInput(Readable.from(chunks), 'stdin')
    // Read twice (the check, then the signing) from its private copy: the same events each time.
    expect([...input.events()]).toEqual(whole)
    expect(drain(input)).toEqual(whole)
  })

  it('refuses a bad line past the first chunk with its number and byte offset, file or stream', async () => {
    const good = bigBatch(3000)
    const lines = good.split('\n')
    const at = lines.findIndex((_, i) => i > 2500 && lines[i] !== '' && !lines[i]?.endsWith('\r'))
    const before = Buffer.byteLength(lines.slice(0, at).join('\n')) + 1
    lines[at] = `{"goblin_id":"caf\u00e9","action":"x","decision":"allow"}`
    const latin1 = Buffer.concat([
      Buffer.from(`${lines.slice(0, at).join('\n')}\n`),
      Buffer.from(lines[at] as string, 'latin1'),
      Buffer.from(`\n${lines.slice(at + 1).join('\n')}`),
    ])
    const path = join(dir.path, 'latin1.jsonl')
    writeFileSync(path, latin1)
    const refusal = {
      code: 'AUDIT_NOT_UTF8',
      exit: 2,
      // 0xe9 opens a three-byte sequence: the byte after it is where UTF-8 breaks.
      message: expect.stringContaining(`:${at + 1}: not valid UTF-8 (near byte ${before + 18} of the input)`),
    }
    await expect(openEventInput(path, 'in.jsonl')).rejects.toMatchObject(refusal)
    await expect(
      openEventInput(Readable.from([latin1.subarray(0, before + 17), latin1.subarray(before + 17)]), 'stdin'),
    ).rejects.toMatchObject(refusal)
    lines[at] = '{"goblin_id":"x","action":"y"}'
    writeFileSync(path, lines.join('\n'))
    await expect(openEventInput(path, 'in.jsonl')).rejects.toMatchObject({
      code: 'AUDIT_BAD_EVENT',
      message: `in.jsonl:${at + 1}: missing field "decision" (a non-empty string)`,
    })
  })

  it('refuses an input with no events, and a file that is not there', async () => {
    await expect(openEventInput(Readable.from([Buffer.from('\n \n')]), 'stdin')).rejects.toMatchObject({
      code: 'AUDIT_NO_EVENTS',
      message: 'stdin: no events',
    })
    await expect(openEventInput(join(dir.path, 'missing.jsonl'), 'missing.jsonl')).rejects.toMatchObject({
      code: 'AUDIT_NO_INPUT',
      message: 'cannot read missing.jsonl (ENOENT)',
    })
  })
})
