/** The periods a cost envelope can cover. All are UTC; weeks start on Monday (ISO 8601). */
export type BudgetPeriod = 'day' | 'week' | 'month'

export interface PeriodWindow {
  /** Inclusive. */
  start: Date
  /** Exclusive: the start of the next period. */
  end: Date
}

/** The UTC day, ISO week (Monday 00:00) or calendar month that contains `at`. */
export function periodWindow(period: BudgetPeriod, at: Date): PeriodWindow {
  const y = at.getUTCFullYear()
  const m = at.getUTCMonth()
  const d = at.getUTCDate()
  if (period === 'day') return { start: new Date(Date.UTC(y, m, d)), end: new Date(Date.UTC(y, m, d + 1)) }
  if (period === 'week') {
    const sinceMonday = (at.getUTCDay() + 6) % 7
    return {
      start: new Date(Date.UTC(y, m, d - sinceMonday)),
      end: new Date(Date.UTC(y, m, d - sinceMonday + 7)),
    }
  }
  return { start: new Date(Date.UTC(y, m, 1)), end: new Date(Date.UTC(y, m + 1, 1)) }
}
