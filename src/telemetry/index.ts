/**
 * `@goblinos/cli/telemetry`: the tracing SDK for services goblin observes.
 *
 *   import { initTracing, withLlmSpan } from '@goblinos/cli/telemetry'
 *   initTracing({ serviceName: 'researcher', goblinId: 'researcher' })
 *   await withLlmSpan({ model: 'gpt-4o', provider: 'openai' }, async (llm) => { ... llm.setUsage({ inputTokens, outputTokens }) })
 */

export { type CostGuardDecision, type CostGuardOptions, costGuard } from '../cost/cost-guard.js'
export { type GuardDecision, type GuardRequest, guard } from '../policy/guard.js'
export {
  type AuditEmitter,
  type AuditEmitterOptions,
  type AuditRecord,
  auditEmitter,
} from './audit-emitter.js'
export type { RetryOptions as AuditRetryOptions } from './audit-transport.js'
export { contextFromEnv, type EnvCarrier, envFromContext, withGoblinBaggage } from './env-carrier.js'
export { GOBLIN_BAGGAGE_KEYS } from './goblin-attributes-processor.js'
export { type InitTracingOptions, initTracing, type Tracing, withContext } from './init-tracing.js'
export {
  type LlmCallAttributes,
  type LlmSpan,
  type LlmUsage,
  usageAttributes,
  withLlmSpan,
} from './llm-span.js'
export { DEFAULT_SAMPLE_RATIO } from './tracing-config.js'
