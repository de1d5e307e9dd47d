import { describe, expect, it } from 'vitest'
import {
  formatLogfmt,
  parseDurationMs,
  parseLogfmt,
  parseSearchParams,
  searchParamsFor,
} from '../../../src/collector/search-params.js'

describe('Tempo search parameters', () => {
  it('parses durations Go-style', () => {
    expect(parseDurationMs('250ms', 'x')).toBe(250)
    expect(parseDurationMs('1.5s', 'x')).toBe(1500)
    expect(parseDurationMs('1h30m', 'x')).toBe(5_400_000)
    expect(parseDurationMs('7d', 'x')).toBe(604_800_000)
    expect(() => parseDurationMs('soon', '--since')).toThrow(/--since: "soon" is not a duration/)
    expect(() => parseDurationMs('5', 'x')).toThrow(/not a duration/)
  })

  it('reads and writes logfmt tags, quoted values included', () => {
    const tags = { 'service.name': 'api', status: 'error', name: 'GET /a b' }
    expect(formatLogfmt(tags)).toBe('service.name=api status=error name="GET /a b"')
    expect(parseLogfmt(formatLogfmt(tags))).toEqual(tags)
    expect(() => parseLogfmt('service.name')).toThrow(/cannot read/)
  })

  it('round-trips a query through URL parameters', () => {
    const query = {
      tags: { 'goblin.id': 'researcher' },
      minDurationMs: 250,
      startUnixNano: 1_700_000_000_000_000_000n,
      endUnixNano: 1_700_000_100_000_000_000n,
      limit: 5,
    }
    expect(parseSearchParams(searchParamsFor(query))).toEqual(query)
    expect(() => parseSearchParams(new URLSearchParams('limit=0'))).toThrow(/limit/)
    expect(() => parseSearchParams(new URLSearchParams('start=yesterday'))).toThrow(/Unix seconds/)
  })
})
