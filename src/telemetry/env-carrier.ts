import { type Context, propagation, ROOT_CONTEXT, type TextMapGetter } from '@opentelemetry/api'
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core'

/** W3C tracecontext + baggage: what goblin propagates, in HTTP headers and in the environment. */
export const w3cPropagator = new CompositePropagator({
  propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
})

/** The environment-variable carrier names (OpenTelemetry "Environment Variables as Context Propagation Carriers"). */
export interface EnvCarrier {
  TRACEPARENT?: string
  TRACESTATE?: string
  BAGGAGE?: string
}

const envGetter: TextMapGetter<NodeJS.ProcessEnv> = {
  keys: () => ['traceparent', 'tracestate', 'baggage'],
  get: (env, key) => env[key.toUpperCase()] || undefined,
}

/** The context a process started by a traced parent inherits: TRACEPARENT, TRACESTATE and BAGGAGE. */
export function contextFromEnv(env: NodeJS.ProcessEnv = process.env, base: Context = ROOT_CONTEXT): Context {
  return w3cPropagator.extract(base, env, envGetter)
}

/** The variables that carry `ctx` (its span and baggage) into a child process's environment. */
export function envFromContext(ctx: Context): EnvCarrier {
  const carrier: Record<string, string> = {}
  w3cPropagator.inject(ctx, carrier, {
    set: (c, key, value) => {
      c[key] = value
    },
  })
  const out: EnvCarrier = {}
  if (carrier.traceparent) out.TRACEPARENT = carrier.traceparent
  if (carrier.tracestate) out.TRACESTATE = carrier.tracestate
  if (carrier.baggage) out.BAGGAGE = carrier.baggage
  return out
}

/** `ctx` with `goblin.id` / `task.id` (when given) added to its baggage, so child spans and processes carry them. */
export function withGoblinBaggage(ctx: Context, ids: { goblinId?: string; taskId?: string }): Context {
  let baggage = propagation.getBaggage(ctx) ?? propagation.createBaggage()
  if (ids.goblinId) baggage = baggage.setEntry('goblin.id', { value: ids.goblinId })
  if (ids.taskId) baggage = baggage.setEntry('task.id', { value: ids.taskId })
  return propagation.setBaggage(ctx, baggage)
}
