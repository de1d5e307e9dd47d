import { type ExportResult, ExportResultCode } from '@opentelemetry/core'
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base'

/**
 * A span exporter with two timeouts: the usual one while the service runs (10 s, or the OTEL_* setting)
 * and a short one once it exits, so a service whose collector does not answer ends within the bound instead
 * of hanging in the exporter's retries (about 9 s, without a word). Every failed export is handed to
 * `onFailure`, which initTracing turns into one warning per process.
 */
export class ExitBoundedExporter implements SpanExporter {
  private exiting = false

  constructor(
    private readonly running: SpanExporter,
    private readonly atExit: SpanExporter,
    private readonly onFailure: (error: Error | undefined) => void,
  ) {}

  /** From now on, exports use the exit timeout. */
  exit(): void {
    this.exiting = true
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    ;(this.exiting ? this.atExit : this.running).export(spans, (result) => {
      if (result.code !== ExportResultCode.SUCCESS) this.onFailure(result.error)
      done(result)
    })
  }

  async shutdown(): Promise<void> {
    await Promise.all([this.running.shutdown(), this.atExit.shutdown()])
  }

  async forceFlush(): Promise<void> {
    await Promise.all([this.running.forceFlush?.(), this.atExit.forceFlush?.()])
  }
}
