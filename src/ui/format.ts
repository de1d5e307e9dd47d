/** How goblin writes numbers for people: money, counts, durations, times. Pure functions, no terminal. */

/** Significant figures kept for amounts under one dollar: enough to tell $0.0362 from $0.036. */
const USD_SIGNIFICANT = 4

/**
 * USD as goblin prints it everywhere: cents from one dollar up ($12.35), else four significant figures with
 * trailing zeros dropped but never fewer than two decimals ($0.28, $0.2806, $0.0035, $0.00), `-` when unknown.
 */
export function formatUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '-'
  const sign = usd < 0 ? '-' : ''
  const abs = Math.abs(usd)
  if (abs === 0) return '$0.00'
  if (abs >= 1) return `${sign}$${abs.toFixed(2)}`
  // toPrecision can answer in exponent form (1.234e-7); toFixed with as many decimals as the figures need cannot.
  const decimals = Math.max(2, USD_SIGNIFICANT - 1 - Math.floor(Math.log10(abs)))
  const fixed = abs.toFixed(Math.min(decimals, 100))
  const trimmed = fixed.replace(/0+$/, '')
  const [, fraction = ''] = trimmed.split('.')
  return `${sign}$${fraction.length < 2 ? abs.toFixed(2) : trimmed}`
}

/** USD per million tokens, the unit price lists use, in the same digits as every other amount. */
export function formatPerMillion(perToken: number | undefined): string {
  return perToken === undefined ? '-' : formatUsd(perToken * 1e6)
}

/**
 * A count with thousands separators (`1,234,567`), or `-` when unknown. Written out rather than
 * `toLocaleString('en-US')`, whose first call loads ICU's number formatting: about 6 ms of every command
 * that prints a count (bench/README.md, start-up).
 */
export function formatCount(n: number | null): string {
  if (n === null) return '-'
  if (!Number.isFinite(n)) return String(n)
  const rounded = Math.round(n)
  return `${rounded < 0 ? '-' : ''}${wholeDigits(Math.abs(rounded)).replace(/\B(?=(\d{3})+$)/g, ',')}`
}

/** A whole number's shortest digits, zeros written out where String() would use exponent form (1e21 up). */
function wholeDigits(n: number): string {
  const [mantissa = '', exponent] = String(n).split('e+')
  if (exponent === undefined) return mantissa
  const [whole = '', fraction = ''] = mantissa.split('.')
  return whole + fraction.padEnd(Number(exponent), '0')
}

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
