import { type Context, propagation } from '@opentelemetry/api'
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base'

/** The baggage keys goblin copies onto every span, so stored spans can be filtered and priced by them. */
export const GOBLIN_BAGGAGE_KEYS = ['goblin.id', 'task.id'] as const

/**
 * Sets `goblin.id` and `task.id` on each span from the parent context's baggage (or the configured
 * goblin id), so a span carries them even when only an ancestor process knew them.
 */
export class GoblinAttributesProcessor implements SpanProcessor {
  private readonly goblinId: string | undefined

  constructor(goblinId?: string) {
    this.goblinId = goblinId
  }

  onStart(span: Span, parentContext: Context): void {
    const baggage = propagation.getBaggage(parentContext)
    for (const key of GOBLIN_BAGGAGE_KEYS) {
      const value = baggage?.getEntry(key)?.value ?? (key === 'goblin.id' ? this.goblinId : undefined)
      if (value !== undefined && span.attributes[key] === undefined) span.setAttribute(key, value)
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve()
  }

  shutdown(): Promise<void> {
    return Promise.resolve()
  }
}
