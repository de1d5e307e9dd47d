import { useEffect, useState } from 'preact/hooks'
import { api, type BudgetCheck, type CostReport } from './api.js'
import { type Bar, BarChart } from './bar-chart.js'
import { SelectFilter } from './filter-field.js'
import { formatCount, formatUsd } from './format.js'

const BREAKDOWNS = ['model', 'provider', 'goblin', 'task', 'session'] as const
const RANGES = ['24h', '7d', '30d'] as const

/**
 * Every buckets' spend from start to end, empty buckets included (a chart with gaps skipped would lie
 * about time); `key` is what `cost report --by hour|day` names a bucket.
 */
export function timeBuckets(report: CostReport, unit: 'hour' | 'day'): Bar[] {
  const sums = new Map<string, number>()
  for (const row of report.rows) {
    const label = row.key[unit] ?? '(none)'
    sums.set(label, (sums.get(label) ?? 0) + row.usd)
  }
  const stepMs = unit === 'hour' ? 3_600_000 : 86_400_000
  const bars: Bar[] = []
  const end = Date.parse(report.until)
  for (let t = Math.floor(Date.parse(report.since) / stepMs) * stepMs; t < end; t += stepMs) {
    const iso = new Date(t).toISOString()
    const label = unit === 'hour' ? `${iso.slice(0, 13)}:00Z` : iso.slice(0, 10)
    bars.push({ label, value: Math.round((sums.get(label) ?? 0) * 1e9) / 1e9 })
  }
  return bars
}

export function CostPage({ params }: { params: URLSearchParams }) {
  const since = params.get('since') ?? '24h'
  const unit =
    params.get('unit') === 'day' || (params.get('unit') === null && since !== '24h') ? 'day' : 'hour'
  const [reports, setReports] = useState<Record<string, CostReport> | null>(null)
  const [check, setCheck] = useState<BudgetCheck | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    setReports(null)
    // The envelopes first: one quick request, not queued behind the six reports (a browser opens six
    // connections to a host at once).
    api.costCheck().then(setCheck, (e: Error) => setError(e.message))
    const by = [unit, ...BREAKDOWNS]
    // One `cost report` per grouping, over the same window, each as `--json` would print it.
    Promise.all(by.map((b) => api.costReport(new URLSearchParams({ since, by: b }))))
      .then((all) => setReports(Object.fromEntries(by.map((b, i) => [b, all[i] as CostReport]))))
      .catch((e: Error) => setError(e.message))
  }, [since, unit])
  const overview = reports?.model
  return (
    <section>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <SelectFilter
          params={params}
          name="since"
          label="window"
          fallback="24h"
          options={RANGES.map((r): [string, string] => [r, `last ${r}`])}
        />
        <SelectFilter
          params={params}
          name="unit"
          label="bars by"
          fallback={unit}
          options={[
            ['hour', 'hour'],
            ['day', 'day'],
          ]}
        />
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!reports && !error && <p class="meta">loading cost…</p>}
      {overview && reports && (
        <>
          <h1>
            <span data-testid="cost-total">{formatUsd(overview.total.usd)}</span> in{' '}
            {formatCount(overview.total.calls)} LLM calls
          </h1>
          <p class="meta">
            {overview.since} to {overview.until} (UTC) · prices:{' '}
            {overview.prices.map((p) => p.source).join(', ')}
          </p>
          {(overview.total.unknownModelCalls > 0 || overview.total.unmeteredCalls > 0) && (
            <p class="warn" data-testid="cost-unpriced">
              Not in the total, never counted as $0: {overview.total.unknownModelCalls} calls of models the
              price table does not know
              {overview.unknownModels.length > 0 &&
                ` (${overview.unknownModels.map((m) => `${m.model}: ${m.calls}`).join(', ')})`}
              , {overview.total.unmeteredCalls} unmetered calls (no token counts, no cost of their own).
            </p>
          )}
          {overview.notes.map((n) => (
            <p class="meta" key={n}>
              {n}
            </p>
          ))}
          <BarChart bars={timeBuckets(reports[unit] as CostReport, unit)} testId="cost-chart" />
          <div class="breakdowns">
            {BREAKDOWNS.map((b) => (
              <Breakdown key={b} by={b} report={reports[b] as CostReport} />
            ))}
          </div>
        </>
      )}
      <h2>cost envelopes</h2>
      {check && <Envelopes check={check} />}
    </section>
  )
}

function Breakdown({ by, report }: { by: string; report: CostReport }) {
  const max = Math.max(...report.rows.map((r) => r.usd), 0) || 1
  return (
    <table class="breakdown" data-testid={`breakdown-${by}`}>
      <thead>
        <tr>
          <th>{by}</th>
          <th class="num">USD</th>
          <th class="num">calls</th>
          <th class="num">input</th>
          <th class="num">output</th>
          <th>not priced</th>
        </tr>
      </thead>
      <tbody>
        {report.rows.map((r) => (
          <tr key={JSON.stringify(r.key)} data-key={r.key[by as 'model']}>
            <td>{r.key[by as 'model']}</td>
            <td class="num" data-usd={r.usd}>
              <span class="spark" style={{ width: `${(r.usd / max) * 60}px` }} />
              {formatUsd(r.usd)}
            </td>
            <td class="num">{formatCount(r.calls)}</td>
            <td class="num">{formatCount(r.inputTokens)}</td>
            <td class="num">{formatCount(r.outputTokens)}</td>
            <td class="warn">
              {r.unknownModelCalls > 0 ? `${r.unknownModelCalls} unknown model ` : ''}
              {r.unmeteredCalls > 0 ? `${r.unmeteredCalls} unmetered` : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function Envelopes({ check }: { check: BudgetCheck }) {
  if (check.envelopes.length === 0)
    return (
      <p class="meta" data-testid="envelopes">
        {check.notes.join(' ') || 'no cost envelopes declared'}
      </p>
    )
  return (
    <table class="envelopes" data-testid="envelopes">
      <thead>
        <tr>
          <th>scope</th>
          <th>period (UTC)</th>
          <th class="num">spent</th>
          <th class="num">budget</th>
          <th>used</th>
          <th>status</th>
        </tr>
      </thead>
      <tbody>
        {check.envelopes.map((e) => (
          <tr key={`${e.goblin}/${e.task}/${e.period}`} class={e.status} data-status={e.status}>
            <td>
              {[e.goblin && `goblin ${e.goblin}`, e.task && `task ${e.task}`].filter(Boolean).join(', ') ||
                'everything'}
            </td>
            <td>
              {e.period} from {e.periodStart.slice(0, 16).replace('T', ' ')}
            </td>
            <td class="num">{formatUsd(e.spentUsd)}</td>
            <td class="num">{formatUsd(e.budgetUsd)}</td>
            <td>
              <meter min={0} max={1} high={e.warnAt} optimum={0} value={Math.min(1, e.used)} />{' '}
              {Math.round(e.used * 100)}%
            </td>
            <td data-testid="envelope-status">
              {e.status}
              {e.unknownModelCalls > 0
                ? ` (${e.unknownModelCalls} calls not priced: may be understated)`
                : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
