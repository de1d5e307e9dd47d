import { Errors } from '@oclif/core'
import { describe, expect, it } from 'vitest'
import { jsonRequested, toGoblinError } from '../../../src/cli/error-output.js'
import { editDistance, suggestCommand } from '../../../src/cli/suggest.js'
import { GoblinError } from '../../../src/core/errors.js'
import { formatCount, formatPerMillion, formatUsd } from '../../../src/ui/format.js'
import { paint, stripAnsi } from '../../../src/ui/style.js'
import { renderTable } from '../../../src/ui/table.js'

describe('formatUsd, the one money formatter', () => {
  it('prints cents from a dollar up and four significant figures below, trailing zeros dropped', () => {
    expect(formatUsd(12.345)).toBe('$12.35')
    expect(formatUsd(1)).toBe('$1.00')
    expect(formatUsd(0.0362)).toBe('$0.0362')
    expect(formatUsd(0.036)).toBe('$0.036')
    expect(formatUsd(0.28)).toBe('$0.28')
    expect(formatUsd(0.2806)).toBe('$0.2806')
    expect(formatUsd(0.5)).toBe('$0.50')
    expect(formatUsd(0.00063)).toBe('$0.00063')
    expect(formatUsd(1.234e-7)).toBe('$0.0000001234')
    expect(formatUsd(0.999999)).toBe('$1.00')
    expect(formatUsd(-0.25)).toBe('-$0.25')
  })

  it('prints zero as $0.00 and an unknown amount as -', () => {
    expect(formatUsd(0)).toBe('$0.00')
    expect(formatUsd(null)).toBe('-')
    expect(formatUsd(Number.NaN)).toBe('-')
  })

  it('prices per million tokens in the same digits', () => {
    expect(formatPerMillion(2.5e-6)).toBe('$2.50')
    expect(formatPerMillion(2.8e-8)).toBe('$0.028')
    expect(formatPerMillion(undefined)).toBe('-')
  })
})

describe('formatCount', () => {
  it('writes what toLocaleString("en-US") writes for whole counts, without loading ICU', () => {
    for (const n of [
      0,
      7,
      999,
      1000,
      12_345,
      999_999,
      1_000_000,
      1_234_567_890,
      2 ** 53,
      1e21,
      1.5e24,
      -1234,
      41.6,
    ])
      expect(formatCount(n)).toBe(Math.round(n).toLocaleString('en-US'))
  })

  it('writes - for an unknown count', () => {
    expect(formatCount(null)).toBe('-')
  })
})

describe('renderTable', () => {
  const rows = [
    { id: '0af7651916cd43dd8448eb211c80319c', name: 'a very long span name that goes on and on', n: 3 },
    { id: '00000000000000000000000000000001', name: 'short', n: 12 },
  ]
  const columns = [
    { header: 'TRACE ID', value: (r: (typeof rows)[0]) => r.id },
    { header: 'NAME', value: (r: (typeof rows)[0]) => r.name, shrink: true },
    { header: 'N', value: (r: (typeof rows)[0]) => String(r.n), align: 'right' as const },
  ]

  it('pads cells into aligned columns when it fits', () => {
    const lines = renderTable(rows, columns, { color: false, columns: 200 }).split('\n')
    const nameWidth = rows[0]?.name.length ?? 0
    expect(lines[0]).toBe(`${'TRACE ID'.padEnd(32)}  ${'NAME'.padEnd(nameWidth)}   N`)
    expect(lines[1]).toBe(`${rows[0]?.id}  ${rows[0]?.name}   3`)
    expect(lines[2]).toBe(`${rows[1]?.id}  ${'short'.padEnd(nameWidth)}  12`)
  })

  it('fits the width by shortening free text, never an identifier', () => {
    const lines = renderTable(rows, columns, { color: false, columns: 60 }).split('\n')
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60)
    expect(lines[1]).toContain(rows[0]?.id)
    expect(lines[1]).toContain('…')
    // Too narrow even for the ids: the ids stay whole and the line runs past the edge.
    const narrow = renderTable(rows, columns, { color: false, columns: 20 }).split('\n')
    expect(narrow[2]).toContain(rows[1]?.id)
  })

  it('colours cells by tone only when colour is on, and strips back to the plain table', () => {
    const toned = [{ ...columns[0], tone: () => 'red' as const }, columns[1], columns[2]]
    const coloured = renderTable(rows, toned as typeof columns, { color: true, columns: 200 })
    expect(coloured).toContain('\u001B[31m')
    expect(stripAnsi(coloured)).toBe(renderTable(rows, columns, { color: false, columns: 200 }))
  })
})

describe('stripAnsi', () => {
  it('removes colours, cursor moves and OSC hyperlinks', () => {
    const link = '\u001B]8;;https://example.com\u0007here\u001B]8;;\u0007'
    expect(stripAnsi(`${paint('x', 'bold', true)}\u001B[2K\u001B[1G${link}`)).toBe('xhere')
  })
})

describe('suggestCommand', () => {
  const commands = ['trace list', 'trace show', 'trace exec', 'audit verify', 'cost report', 'doctor']

  it('suggests the closest command in the user’s own words', () => {
    expect(suggestCommand(['trac', 'list'], commands)).toEqual({ command: 'trace list', typed: 'trac list' })
    expect(suggestCommand(['trace', 'lst', 'abc'], commands)).toEqual({
      command: 'trace list',
      typed: 'trace lst',
    })
    expect(suggestCommand(['doctr'], commands)).toEqual({ command: 'doctor', typed: 'doctr' })
  })

  it('suggests nothing when nothing is close', () => {
    expect(suggestCommand(['bogus'], commands)).toBeNull()
  })

  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('audti', 'audit')).toBe(1)
    expect(editDistance('', 'abc')).toBe(3)
  })
})

describe('toGoblinError', () => {
  it('keeps every line of an oclif parse error as a usage error', () => {
    const parse = new Errors.CLIError('Parsing --depth \n\tExpected an integer\nSee more help with --help')
    const error = toGoblinError(parse)
    expect(error.toJSON()).toMatchObject({
      code: 'USAGE',
      message: 'Parsing --depth\n  Expected an integer',
      exit: 2,
    })
  })

  it('passes a GoblinError through and calls anything else from goblin INTERNAL (exit 1)', () => {
    const own = new GoblinError('TRACE_NOT_FOUND', 'no such trace')
    expect(toGoblinError(own)).toBe(own)
    expect(toGoblinError(new TypeError('x is undefined')).toJSON()).toMatchObject({
      code: 'INTERNAL',
      exit: 1,
    })
    expect(toGoblinError(new Error('nope not installed'), 'plugins').toJSON()).toMatchObject({
      code: 'PLUGINS_FAILED',
      message: 'nope not installed',
      exit: 2,
    })
  })

  it('sees --json before `--` only, or GOBLIN_CONTENT_TYPE=json', () => {
    expect(jsonRequested(['trace', 'list', '--json'], {})).toBe(true)
    expect(jsonRequested(['trace', 'exec', '--', 'jq', '--json'], {})).toBe(false)
    expect(jsonRequested(['trace', 'list'], { GOBLIN_CONTENT_TYPE: 'JSON' })).toBe(true)
  })
})
