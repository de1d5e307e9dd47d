/** Rounds USD to a nano-dollar, so sums of many float products compare exactly against a budget. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e9) / 1e9
}
