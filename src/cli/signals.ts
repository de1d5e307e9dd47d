/** What a long-running command gets from `stopOnSignals`: an abort signal and the clean-up of its listeners. */
export interface SignalStop {
  /** Aborted (its reason the signal's name) at the first SIGINT or SIGTERM. */
  signal: AbortSignal
  /** Resolves with the signal's name once one arrives. */
  stopped: Promise<NodeJS.Signals>
  /** Stops the work from inside (a --max or --for reached), as a signal would. */
  abort(): void
  /** Removes the listeners; a second Ctrl-C after this is Node's default (exit at once). */
  dispose(): void
  [Symbol.dispose](): void
}

/**
 * The one way a goblin command stops on Ctrl-C or SIGTERM: listen before the work starts, abort the signal
 * the work was given, and remove the listeners when done (`using stop = stopOnSignals()`).
 */
export function stopOnSignals(): SignalStop {
  const controller = new AbortController()
  let settle: (name: NodeJS.Signals) => void = () => {}
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    settle = resolve
  })
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const handler = () => {
      controller.abort(name)
      settle(name)
    }
    process.once(name, handler)
    return [name, handler] as const
  })
  const dispose = () => {
    for (const [name, handler] of handlers) process.off(name, handler)
  }
  const abort = () => controller.abort('done')
  return { signal: controller.signal, stopped, abort, dispose, [Symbol.dispose]: dispose }
}
