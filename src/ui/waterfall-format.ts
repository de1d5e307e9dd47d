/** Small text formatters shared by the trace views (waterfall, list, tail). */

/** A duration in ms as a short human string: 850µs, 12.3ms, 4.21s, 3m05s. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-'
  if (ms < 1) return `${Math.round(ms * 1000)}µs`
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : Math.round(ms)}ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`
  const minutes = Math.floor(ms / 60_000)
  const seconds = Math.round((ms % 60_000) / 1000)
  return minutes < 60
    ? `${minutes}m${String(seconds).padStart(2, '0')}s`
    : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`
}

/** USD with enough digits for cents and fractions of a cent. */
export function formatUsd(usd: number | null): string {
  if (usd === null) return '-'
  if (usd === 0) return '$0'
  return usd >= 1 ? `$${usd.toFixed(2)}` : `$${usd.toPrecision(2)}`
}

/** Unix nanoseconds (decimal string) as local ISO-like time `2026-11-26 01:02:03`. */
export function formatStart(unixNano: string): string {
  const ms = Number(BigInt(unixNano) / 1_000_000n)
  const d = new Date(ms)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** Cuts text to `width` characters with an ellipsis. */
export function truncateText(text: string, width: number): string {
  if (width <= 0) return ''
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`
}
