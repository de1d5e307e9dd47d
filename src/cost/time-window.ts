/** Unix nanoseconds of a Date. */
export function toUnixNano(date: Date): bigint {
  return BigInt(date.getTime()) * 1_000_000n
}
