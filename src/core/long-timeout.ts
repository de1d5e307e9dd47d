/**
 * Node's timers hold at most 2^31-1 ms (24.8 days): a longer delay fires after 1 ms instead (with a
 * TimeoutOverflowWarning), which turned `audit checkpoint --every 30d` into a busy loop. These wait any
 * duration by chaining timers no longer than that.
 */

const MAX_TIMER_MS = 2 ** 31 - 1

export interface LongTimeout {
  cancel(): void
  /** Lets the process exit while only this timer is pending (as `Timeout.unref`). */
  unref(): void
}

/** Calls `fn` after `ms`, however long. */
export function setLongTimeout(fn: () => void, ms: number): LongTimeout {
  let timer: NodeJS.Timeout
  let referenced = true
  const arm = (remaining: number) => {
    timer = setTimeout(
      () => (remaining > MAX_TIMER_MS ? arm(remaining - MAX_TIMER_MS) : fn()),
      Math.min(remaining, MAX_TIMER_MS),
    )
    if (!referenced) timer.unref()
  }
  arm(ms)
  return {
    cancel: () => clearTimeout(timer),
    unref: () => {
      referenced = false
      timer.unref()
    },
  }
}

/** Resolves after `ms` (however long), or as soon as `signal` aborts. */
export function sleepLong(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve()
    const done = () => {
      timeout.cancel()
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timeout = setLongTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}
