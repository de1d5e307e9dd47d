import { describe, expect, it } from 'vitest'
import { cumulativeChange, deltaChange, type SeriesPoint } from '../../../src/collector/metric-window.js'

/** A point of a sum at second `t`, whose run started at second `start`. */
const at = (start: number, t: number, ...values: number[]): SeriesPoint => ({
  startNs: BigInt(start) * 1_000_000_000n,
  timeNs: BigInt(t) * 1_000_000_000n,
  values,
})
const sec = (s: number) => BigInt(s) * 1_000_000_000n

describe('delta series', () => {
  it('sums every point in the window, each value on its own', () => {
    expect(deltaChange([at(0, 10, 3, 30), at(10, 20, 4, 1.5), at(20, 30, 0, 0)], 2)).toEqual({
      values: [7, 31.5],
      resets: 0,
    })
  })

  it('is zero for no points', () => {
    expect(deltaChange([], 1)).toEqual({ values: [0], resets: 0 })
  })
})

describe('cumulative series', () => {
  it('measures from the last point before the window', () => {
    // 10 before the window, then 15 and 22 inside: grew by 12 in the window.
    expect(cumulativeChange(at(0, 50, 10), [at(0, 110, 15), at(0, 170, 22)], sec(100), true)).toEqual({
      values: [12],
      resets: 0,
    })
  })

  it('counts a run that started inside the window from zero', () => {
    expect(cumulativeChange(undefined, [at(120, 130, 5), at(120, 190, 9)], sec(100), true).values).toEqual([
      9,
    ])
  })

  it('takes the first point as the baseline when its run started before the window and nothing earlier is stored', () => {
    expect(cumulativeChange(undefined, [at(50, 130, 5), at(50, 190, 9)], sec(100), true).values).toEqual([4])
  })

  it('counts a restart (a new start time) from zero: 10 -> 14, restart, 3 -> 6 is 4 + 6', () => {
    const change = cumulativeChange(
      at(0, 50, 10),
      [at(0, 110, 14), at(150, 160, 3), at(150, 170, 6)],
      sec(100),
      true,
    )
    expect(change).toEqual({ values: [10], resets: 1 })
  })

  it('treats a monotonic value that drops under the same start time as a restart', () => {
    const change = cumulativeChange(undefined, [at(0, 110, 8), at(0, 120, 2), at(0, 130, 5)], 0n, true)
    expect(change).toEqual({ values: [8 + 2 + 3], resets: 1 })
  })

  it('lets a non-monotonic (up-down) value fall without calling it a reset', () => {
    const change = cumulativeChange(at(0, 50, 10), [at(0, 110, 4), at(0, 120, 7)], sec(100), false)
    expect(change).toEqual({ values: [-3], resets: 0 })
  })

  it('resets histogram count and sum together, decided by the count', () => {
    // [count, sum]: 4 obs summing 40 before; 6/70 inside; restart to 1/5.
    const change = cumulativeChange(at(0, 50, 4, 40), [at(0, 110, 6, 70), at(200, 210, 1, 5)], sec(100), true)
    expect(change).toEqual({ values: [2 + 1, 30 + 5], resets: 1 })
  })

  it('is zero without points in the window, whatever came before', () => {
    expect(cumulativeChange(at(0, 50, 10), [], sec(100), true).values).toEqual([0])
  })
})
