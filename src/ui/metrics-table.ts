import type { MetricGroup, MetricSummary } from '../collector/metric-store.js'
import type { MetricKind } from '../collector/otlp-decode-metrics.js'
import type { AttributeValue } from '../collector/span-record.js'
import type { MetricList, MetricSource, ShownMetric } from '../metrics/metric-queries.js'
import { formatStart, formatUsd } from './format.js'
import { type Column, renderTable } from './table.js'

interface Facts {
  color: boolean
  columns: number
}

/** The `goblin metrics list` table, with where it was read below it. */
export function renderMetricList(list: MetricList, facts: Facts): string {
  if (list.metrics.length === 0)
    return `no metrics${sinceText(list.window.since)} in ${sourceText(list.source)}`
  const table = renderTable(
    list.metrics,
    [
      { header: 'NAME', value: (m) => m.name },
      { header: 'TYPE', value: (m) => typeName(m.kind, m.monotonic) },
      { header: 'TEMPORALITY', value: (m) => m.temporalities.filter((t) => t !== 'none').join('+') || '-' },
      { header: 'UNIT', value: (m) => m.unit || '-' },
      { header: 'SERIES', value: (m) => String(m.series), align: 'right' },
      { header: 'POINTS', value: (m) => String(m.points), align: 'right' },
      { header: 'LAST POINT', value: (m) => formatStart(m.lastTimeUnixNano) },
      { header: 'DESCRIPTION', value: (m) => m.description, shrink: true },
    ] satisfies Column<MetricSummary>[],
    facts,
  )
  const n = list.metrics.length
  return `${table}\n${n} metric${n === 1 ? '' : 's'}${sinceText(list.window.since)} from ${sourceText(list.source)}`
}

/** The `goblin metrics show` table: one row per group, the columns its metric type has. */
export function renderShownMetric(shown: ShownMetric, facts: Facts): string {
  const { metric } = shown
  const kinds = metric.kinds.map((k) => typeName(k, metric.monotonic)).join(' and ')
  const temporality = metric.temporalities.filter((t) => t !== 'none').join('+')
  const header = `${metric.name}  ${[kinds, metric.unit, temporality].filter(Boolean).join(', ')}${sinceText(shown.window.since)}`
  if (metric.groups.length === 0)
    return `${header}\nno points in this window (from ${sourceText(shown.source)})`
  const usd = metric.unit === 'USD'
  const amount = (n: number | null) => (n === null ? '-' : usd ? formatUsd(n) : formatNumber(n))
  const present = new Set(metric.groups.map((g) => g.kind))
  const columns: Column<MetricGroup>[] = attributeColumns(shown)
  if (present.size > 1) columns.push({ header: 'TYPE', value: (g) => typeName(g.kind, metric.monotonic) })
  if (present.has('sum'))
    columns.push({ header: 'INCREASE', value: (g) => amount(g.increase), align: 'right' })
  if (present.has('gauge')) {
    columns.push({ header: 'LAST VALUE', value: (g) => amount(g.value), align: 'right' })
    columns.push({
      header: 'AT',
      value: (g) => (g.valueTimeUnixNano ? formatStart(g.valueTimeUnixNano) : '-'),
    })
  }
  if (['histogram', 'exponential_histogram', 'summary'].some((k) => present.has(k as MetricKind))) {
    columns.push({
      header: 'COUNT',
      value: (g) => (g.count === null ? '-' : formatNumber(g.count)),
      align: 'right',
    })
    columns.push({ header: 'SUM', value: (g) => amount(g.sum), align: 'right' })
    columns.push({
      header: 'MEAN',
      value: (g) => (g.count && g.sum !== null ? amount(g.sum / g.count) : '-'),
      align: 'right',
    })
  }
  columns.push({ header: 'SERIES', value: (g) => String(g.series), align: 'right' })
  columns.push({ header: 'POINTS', value: (g) => String(g.points), align: 'right' })
  const table = renderTable(metric.groups, columns, facts)
  const resets = metric.groups.reduce((n, g) => n + g.resets, 0)
  const footer = [
    `${metric.groups.length} group${metric.groups.length === 1 ? '' : 's'} from ${sourceText(shown.source)}`,
    resets > 0 ? `${resets} counter reset${resets === 1 ? '' : 's'} counted from zero` : '',
  ]
  return `${header}\n${table}\n${footer.filter(Boolean).join('; ')}`
}

/** One column per `--by` attribute, or one column of `key=value` pairs without it. */
function attributeColumns(shown: ShownMetric): Column<MetricGroup>[] {
  if (shown.by.length > 0)
    return shown.by.map((name) => ({
      header: name.toUpperCase(),
      value: (g: MetricGroup) => valueText(g.attributes[name] ?? null),
      shrink: true,
    }))
  return [
    {
      header: 'ATTRIBUTES',
      value: (g) =>
        Object.entries(g.attributes)
          .map(([k, v]) => `${k}=${valueText(v)}`)
          .join(' ') || '(none)',
      shrink: true,
    },
  ]
}

/** OpenTelemetry's instrument words for a metric type. */
function typeName(kind: MetricKind, monotonic: boolean): string {
  if (kind === 'sum') return monotonic ? 'counter' : 'up-down counter'
  return kind === 'exponential_histogram' ? 'exponential histogram' : kind
}

function valueText(value: AttributeValue): string {
  if (value === null) return '-'
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** A number as people read it: thousands separators, at most 6 decimals. */
function formatNumber(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 6 })
}

function sinceText(since: string | null): string {
  return since ? ` since ${formatStart(String(BigInt(Date.parse(since)) * 1_000_000n))}` : ''
}

function sourceText(source: MetricSource): string {
  return source.kind === 'collector' ? source.endpoint : `${source.path} (collector not running)`
}
