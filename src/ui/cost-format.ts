/** USD as people read it: cents for dollars, more digits for fractions of a cent. */
export function formatUsd(usd: number): string {
  const abs = Math.abs(usd)
  if (abs === 0) return '$0.00'
  if (abs >= 1) return `$${usd.toFixed(2)}`
  if (abs >= 0.01) return `$${usd.toFixed(4)}`
  return `$${usd.toFixed(6)}`
}

/** A count with thousands separators, or `-` when unknown. */
export function formatCount(n: number | null): string {
  return n === null ? '-' : Math.round(n).toLocaleString('en-US')
}

/** USD per million tokens, the unit price lists use. */
export function formatPerMillion(perToken: number | undefined): string {
  if (perToken === undefined) return '-'
  const perMillion = perToken * 1e6
  return `$${Number(perMillion.toPrecision(6))}`
}
