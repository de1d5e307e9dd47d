import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it } from 'vitest'
import { llmCallsIndex, TRACE_CALLS_SQL, traceCostsSql, twinSql } from '../../../src/collector/llm-calls.js'
import { SpanStore, searchSql, TRACE_SPANS_SQL } from '../../../src/collector/span-store.js'
import { usageGroupsSql } from '../../../src/collector/usage-groups.js'

/**
 * The plans SQLite picks for the store's hot queries, so a plan regression fails here rather than as a slow
 * bench:collector run: ingest's twin search and trace walk, `/api/search` with its trace costs, one trace's calls,
 * `/api/traces/{id}`, and cost reports' usage groups. No timings: the plan is the property.
 */
function store(): DatabaseSync {
  const db = new DatabaseSync(':memory:')
  new SpanStore(db, ':memory:', false, [llmCallsIndex({ price: () => null })])
  return db
}

function plan(db: DatabaseSync, sql: string, params: Array<string | number | bigint | Uint8Array>): string[] {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map(
    (row) => row.detail,
  )
}

/** No full scan of a table (a covering-index scan is listed as `SCAN ... USING COVERING INDEX`). */
function scans(details: string[]): string[] {
  return details.filter((d) => /^SCAN \w+$/.test(d) || /^SCAN \w+ USING INDEX/.test(d))
}

const id = new Uint8Array(16)

describe('query plans of the store’s hot queries', () => {
  const db = store()

  it('the twin search seeks the unmatched calls of one key and source, in both directions', () => {
    for (const order of ['ASC', 'DESC'] as const) {
      expect(plan(db, twinSql(order), ['["svc",1200]', 1, 0n, 10n])).toEqual([
        'SEARCH llm_calls USING INDEX llm_calls_unmatched (match_key=? AND source=? AND start_ns>? AND start_ns<?)',
      ])
    }
  })

  it('trace costs of a search page are found by trace id, never through the report index', () => {
    const details = plan(
      db,
      traceCostsSql(20),
      Array.from({ length: 20 }, () => id),
    )
    expect(details[0]).toBe('SEARCH c USING INDEX sqlite_autoindex_llm_calls_1 (trace_id=?)')
    expect(details.join('\n')).not.toContain('llm_calls_report')
    expect(scans(details)).toEqual([])
  })

  it('one trace’s calls (trace show) are found by trace id', () => {
    const details = plan(db, TRACE_CALLS_SQL, [id])
    expect(details[0]).toBe('SEARCH c USING INDEX sqlite_autoindex_llm_calls_1 (trace_id=?)')
    expect(scans(details)).toEqual([])
  })

  it('a trace’s spans are read by its key', () => {
    const details = plan(db, TRACE_SPANS_SQL, [1, 'a'.repeat(32)])
    expect(details).toContain('SEARCH s USING INDEX spans_by_trace (trace_key=?)')
    expect(scans(details)).toEqual([])
  })

  it('a search walks traces newest first by start time, and tag filters seek each trace’s spans', () => {
    const plain = searchSql({})
    expect(plan(db, plain.sql, plain.params)).toEqual(['SCAN t USING INDEX traces_by_start'])
    const tagged = searchSql({ tags: { 'service.name': 'svc' } })
    expect(plan(db, tagged.sql, tagged.params)).toEqual([
      'SCAN t USING INDEX traces_by_start',
      'SEARCH s EXISTS USING INDEX spans_by_trace (trace_key=?)',
    ])
  })

  it('usage groups seek the time index for a narrow window and read the covering index for a wide one', () => {
    const window = { sinceNs: 0n, untilNs: 10n }
    const narrow = usageGroupsSql(['goblin'], window, true)
    expect(plan(db, narrow.sql, narrow.params)).toContain(
      'SEARCH llm_calls USING INDEX llm_calls_by_start (start_ns>? AND start_ns<?)',
    )
    const wide = usageGroupsSql(['goblin'], window, false)
    const details = plan(db, wide.sql, wide.params)
    expect(details).toContain('SEARCH llm_calls USING COVERING INDEX llm_calls_report (aggregate=?)')
  })
})

describe('indexes added to a store of the same layout', () => {
  it('a store written before llm_calls_unmatched gains it on open and loses llm_calls_by_match', () => {
    const db = store()
    db.exec(
      'DROP INDEX llm_calls_unmatched; CREATE INDEX llm_calls_by_match ON llm_calls (match_key) WHERE match_key IS NOT NULL',
    )
    new SpanStore(db, ':memory:', false, [llmCallsIndex({ price: () => null })])
    const names = (
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'llm_calls'")
        .all() as Array<{ name: string }>
    ).map((r) => r.name)
    expect(names).toContain('llm_calls_unmatched')
    expect(names).not.toContain('llm_calls_by_match')
  })
})
