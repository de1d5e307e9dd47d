/**
 * What a metric series did within a time window, as pure functions over its stored points. The store reads
 * the points; these do the arithmetic, so it can be tested point by point.
 */

/**
 * One stored point as the window maths reads it: the start time of its run (cumulative series), its time,
 * and its values — `[value]` for a sum, `[count, sum]` for a histogram or summary.
 */
export interface SeriesPoint {
  startNs: bigint
  timeNs: bigint
  values: number[]
}

/** The change of each value over the window, and how many counter resets it crossed. */
export interface WindowChange {
  values: number[]
  resets: number
}

/** A delta series: each point is the change over its own interval, so the window's change is their sum. */
export function deltaChange(inWindow: SeriesPoint[], width: number): WindowChange {
  const values = new Array<number>(width).fill(0)
  for (const point of inWindow)
    for (let i = 0; i < width; i++) values[i] = (values[i] ?? 0) + (point.values[i] ?? 0)
  return { values, resets: 0 }
}

/**
 * A cumulative series: each point is the total since its run's start time. The window's change is the sum of
 * the differences between consecutive points, where a point that starts a new run — a different start time,
 * or (monotonic series) a first value lower than before: the sender restarted — counts its whole value, the
 * run having begun at zero. The first point in the window is measured from `before`, the series' last point
 * before the window; with none stored, from zero when its run started inside the window, and otherwise it is
 * only the baseline: what it counted before the window started cannot be told from what it counted inside.
 */
export function cumulativeChange(
  before: SeriesPoint | undefined,
  inWindow: SeriesPoint[],
  windowStartNs: bigint,
  monotonic: boolean,
): WindowChange {
  const width = before?.values.length ?? inWindow[0]?.values.length ?? 0
  const values = new Array<number>(width).fill(0)
  let resets = 0
  let previous = before
  for (const point of inWindow) {
    const restarted =
      previous !== undefined &&
      (point.startNs !== previous.startNs ||
        (monotonic && (point.values[0] ?? 0) < (previous.values[0] ?? 0)))
    if (restarted) resets++
    for (let i = 0; i < width; i++) {
      const value = point.values[i] ?? 0
      const from =
        previous === undefined
          ? point.startNs >= windowStartNs
            ? 0
            : value
          : restarted
            ? 0
            : (previous.values[i] ?? 0)
      values[i] = (values[i] ?? 0) + value - from
    }
    previous = point
  }
  return { values, resets }
}
