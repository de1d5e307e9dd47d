import { describe, expect, it } from 'vitest'
import { eventFromFlags, parseEventStream } from '../../../src/audit/event-input.js'

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
})
