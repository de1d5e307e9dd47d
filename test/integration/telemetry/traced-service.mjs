// A service instrumented the way the README says, through the package export `@goblinos/cli/telemetry`.
// MODE=exit ends on its own (flush before exit); MODE=sigterm waits for SIGTERM (flush on SIGTERM);
// MODE=flush-twice also flushes two spans by hand and leaves one for the exit (three exports in all).

import { initTracing, withLlmSpan } from '@goblinos/cli/telemetry'
import { trace } from '@opentelemetry/api'

const tracing = initTracing({
  serviceName: 'traced-service',
  goblinId: 'researcher',
  endpoint: process.env.COLLECTOR_URL,
  sampleRatio: Number(process.env.RATIO ?? '0.2'),
})
const tracer = trace.getTracer('traced-service')
await tracer.startActiveSpan('handle request', async (span) => {
  await withLlmSpan(
    { model: 'gpt-4o-mini', provider: 'openai', inputTokens: 50, outputTokens: 7, cost: 0.0001 },
    async () => 'ok',
  )
  span.end()
})
if (process.env.MODE === 'flush-twice') {
  for (const name of ['first flush', 'second flush']) {
    tracer.startSpan(name).end()
    // A failed flush rejects; the warning is the report under test.
    await tracing.forceFlush().catch(() => undefined)
  }
  tracer.startSpan('left for the exit').end()
}
if (process.env.MODE === 'sigterm') {
  process.stdout.write('ready\n')
  setInterval(() => {}, 1_000)
}
