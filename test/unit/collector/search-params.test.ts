import { describe, expect, it } from 'vitest'
import {
  formatLogfmt,
  parseLogfmt,
  parseSearchParams,
  searchParamsFor,
} from '../../../src/collector/search-params.js'

describe('Tempo search parameters', () => {
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
    // Durations follow the one grammar of core/duration.ts, limits included.
    expect(parseSearchParams(new URLSearchParams('minDuration=1.5s')).minDurationMs).toBe(1500)
    expect(() => parseSearchParams(new URLSearchParams('maxDuration=99999999999d'))).toThrow(
      /longer than 36500d/,
    )
  })
})
