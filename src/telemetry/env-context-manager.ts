import { type Context, type ContextManager, ROOT_CONTEXT } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'

/**
 * AsyncLocalStorage context, except that where no context is active the process's inherited one
 * (from TRACEPARENT/BAGGAGE) is: a process started by a traced parent puts its spans under that parent
 * without wrapping its code in `context.with`.
 */
export class EnvContextManager implements ContextManager {
  private readonly inner = new AsyncLocalStorageContextManager()
  private readonly inherited: Context

  constructor(inherited: Context) {
    this.inherited = inherited
  }

  active(): Context {
    const current = this.inner.active()
    return current === ROOT_CONTEXT ? this.inherited : current
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.inner.with(context, fn, thisArg, ...args)
  }

  bind<T>(context: Context, target: T): T {
    return this.inner.bind(context, target)
  }

  enable(): this {
    this.inner.enable()
    return this
  }

  disable(): this {
    this.inner.disable()
    return this
  }
}
