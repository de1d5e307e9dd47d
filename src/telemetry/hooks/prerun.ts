import type { Hook } from '@oclif/core'

/** oclif `prerun`: starts the command's span when OTEL_EXPORTER_OTLP_ENDPOINT is set (nothing is loaded otherwise). */
const hook: Hook<'prerun'> = async ({ Command }) => {
  const { selfTracingWanted, startCommandSpan } = await import('../self-tracing.js')
  if (selfTracingWanted()) await startCommandSpan(Command.id)
}

export default hook
