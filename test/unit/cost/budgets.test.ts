import { afterEach, describe, expect, it } from 'vitest'
import type { Budget } from '../../../src/core/config-schema.js'
import { envelopeStatus, measureEnvelopes, type SpendReader } from '../../../src/cost/budget-check.js'
import { periodWindow } from '../../../src/cost/budget-period.js'
import { costGuard } from '../../../src/cost/cost-guard.js'

const iso = (d: Date) => d.toISOString()
const originalTz = process.env.TZ

afterEach(() => {
  process.env.TZ = originalTz
})

describe('periodWindow (UTC, ISO weeks)', () => {
  it('day runs from UTC midnight to the next', () => {
    const w = periodWindow('day', new Date('2026-11-26T23:59:59.999Z'))
    expect([iso(w.start), iso(w.end)]).toEqual(['2026-11-26T00:00:00.000Z', '2026-11-27T00:00:00.000Z'])
  })

  it('a week starts on Monday, also when asked on a Sunday or exactly at Monday midnight', () => {
    const sunday = periodWindow('week', new Date('2026-11-29T12:00:00Z'))
    expect([iso(sunday.start), iso(sunday.end)]).toEqual([
      '2026-11-23T00:00:00.000Z',
      '2026-11-30T00:00:00.000Z',
    ])
    const monday = periodWindow('week', new Date('2026-11-30T00:00:00.000Z'))
    expect(iso(monday.start)).toBe('2026-11-30T00:00:00.000Z')
  })

  it('month crosses year ends and leap days', () => {
    const dec = periodWindow('month', new Date('2026-12-31T23:00:00Z'))
    expect([iso(dec.start), iso(dec.end)]).toEqual(['2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'])
    const feb = periodWindow('month', new Date('2028-02-29T10:00:00Z'))
    expect(iso(feb.end)).toBe('2028-03-01T00:00:00.000Z')
  })

  it('does not depend on the local time zone', () => {
    process.env.TZ = 'Pacific/Auckland'
    // 23:30 UTC on the 26th is already the 27th in Auckland; the UTC day is still the 26th.
    const w = periodWindow('day', new Date('2026-11-26T23:30:00Z'))
    expect(iso(w.start)).toBe('2026-11-26T00:00:00.000Z')
    process.env.TZ = 'America/Los_Angeles'
    expect(iso(periodWindow('week', new Date('2026-11-30T03:00:00Z')).start)).toBe('2026-11-30T00:00:00.000Z')
  })
})

describe('envelopes', () => {
  it('exactly at the budget is a warning, a cent over is exceeded, below warn_at is ok', () => {
    expect(envelopeStatus(10, 10, 0.8)).toBe('warn')
    expect(envelopeStatus(10.01, 10, 0.8)).toBe('exceeded')
    expect(envelopeStatus(8, 10, 0.8)).toBe('warn')
    expect(envelopeStatus(7.99, 10, 0.8)).toBe('ok')
    // Float sums that land on the budget are at, not over, it.
    expect(envelopeStatus(0.1 + 0.2, 0.3, 0.9)).toBe('warn')
  })

  it('measures each envelope over its own current UTC period and scope', async () => {
    const seen: unknown[] = []
    const spend: SpendReader = async (scope) => {
      seen.push({ ...scope, start: iso(scope.start), end: iso(scope.end) })
      return { usd: scope.goblin === 'researcher' ? 30 : 5, unknownModelCalls: 0 }
    }
    const budgets: Budget[] = [
      { goblin: 'researcher', period: 'day', usd: 25, warn_at: 0.8 },
      { task: 'T-1', period: 'week', usd: 100, warn_at: 0.8 },
    ]
    const results = await measureEnvelopes(budgets, spend, new Date('2026-11-26T15:00:00Z'))
    expect(results.map((r) => [r.goblin, r.task, r.status, r.spentUsd])).toEqual([
      ['researcher', null, 'exceeded', 30],
      [null, 'T-1', 'ok', 5],
    ])
    expect(seen).toEqual([
      { goblin: 'researcher', start: '2026-11-26T00:00:00.000Z', end: '2026-11-27T00:00:00.000Z' },
      { task: 'T-1', start: '2026-11-23T00:00:00.000Z', end: '2026-11-30T00:00:00.000Z' },
    ])
  })
})

describe('costGuard', () => {
  const budgets: Budget[] = [
    { goblin: 'researcher', period: 'day', usd: 10, warn_at: 0.8 },
    { goblin: 'writer', period: 'day', usd: 1, warn_at: 0.8 },
  ]
  const spend: SpendReader = async () => ({ usd: 9.5, unknownModelCalls: 0 })

  it('allows a call that fits and denies one that would overrun the envelope', async () => {
    const fits = await costGuard({ goblin: 'researcher', estimatedUsd: 0.5, budgets, spend })
    expect(fits.allowed).toBe(true)
    expect(fits.envelopes).toHaveLength(1)
    expect(fits.envelopes[0]?.remainingUsd).toBe(0.5)
    const over = await costGuard({ goblin: 'researcher', estimatedUsd: 0.51, budgets, spend })
    expect(over.allowed).toBe(false)
    expect(over.reason).toContain('goblin researcher per day: spent $9.5 of $10')
    expect(over.policyIds).toEqual(['goblin.budget.exceeded'])
  })

  it('allows a goblin no envelope covers', async () => {
    expect(await costGuard({ goblin: 'other', budgets, spend })).toMatchObject({
      allowed: true,
      envelopes: [],
      policyIds: ['goblin.budget.within'],
    })
  })
})
