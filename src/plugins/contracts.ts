import type { z } from 'zod'
import { lazySchema } from '../core/lazy-zod.js'

/**
 * The hooks plugins implement (oclif hooks, run in-process by `collectHook` in ./hook-runner.ts). Each
 * answer's schema is built when first asked for (src/core/lazy-zod.ts): only a plugin's answer needs it.
 * Each answer carries `apiVersion` so the contract can grow without breaking published plugins; goblin
 * rejects (and reports, naming the plugin) an answer of a version it does not know. Within version 1,
 * goblin only adds optional fields. Documented for plugin authors in docs/plugins.md, and mirrored
 * as plain types in templates/plugin/src/contracts.ts (test/unit/plugins/template.test.ts keeps the two
 * in step).
 */
export const HOOK_API_VERSION = 1

/**
 * `goblin:doctor-checks`: a plugin runs its own checks and returns their results, shown by `goblin doctor`
 * with the plugin as `source`. Options passed: `{ env }` (the environment doctor inspects).
 */
export const DOCTOR_CHECKS_HOOK = 'goblin:doctor-checks'

export interface DoctorChecksOptions {
  env: NodeJS.ProcessEnv
}

export const doctorChecksAnswer = lazySchema((z) =>
  z.object({
    apiVersion: z.literal(HOOK_API_VERSION),
    checks: z.array(
      z.object({
        id: z.string().regex(/^[a-z0-9][a-z0-9:-]*$/),
        title: z.string().min(1),
        status: z.enum(['ok', 'warn', 'fail', 'skip']),
        detail: z.string(),
        fix: z.string().optional(),
      }),
    ),
  }),
)
export type DoctorChecksAnswer = z.infer<ReturnType<typeof doctorChecksAnswer>>

/**
 * `goblin:stack-services`: a plugin adds services to the stack plan. Options passed: `{ stage }`.
 * Each service is data the stack runtimes understand (see src/stack/ for the full plan type).
 */
export const STACK_SERVICES_HOOK = 'goblin:stack-services'

export interface StackServicesOptions {
  stage?: string
}

export const stackServicesAnswer = lazySchema((z) =>
  z.object({
    apiVersion: z.literal(HOOK_API_VERSION),
    services: z.array(
      z.object({
        name: z.string().regex(/^[a-z][a-z0-9-]*$/),
        image: z.string().min(1),
        ports: z
          .array(
            z.object({
              container: z.number().int(),
              host: z.number().int(),
              protocol: z.enum(['tcp', 'udp']).optional(),
            }),
          )
          .default([]),
        env: z.record(z.string(), z.string()).default({}),
        command: z.array(z.string()).optional(),
        dependsOn: z.array(z.string()).default([]),
        healthcheck: z
          .object({
            http: z.string().optional(),
            command: z.array(z.string()).optional(),
            timeoutSeconds: z.number().positive().default(60),
          })
          .optional(),
      }),
    ),
  }),
)
export type StackServicesAnswer = z.infer<ReturnType<typeof stackServicesAnswer>>

/**
 * `goblin:cost-prices`: a plugin adds or overrides model prices (USD per token). Plugin prices override
 * the bundled and imported tables for the models they name.
 */
export const COST_PRICES_HOOK = 'goblin:cost-prices'

/** `goblin:cost-prices` is passed no options of its own. */
export type CostPricesOptions = Record<string, never>

export const costPricesAnswer = lazySchema((z) =>
  z.object({
    apiVersion: z.literal(HOOK_API_VERSION),
    source: z.string().min(1),
    prices: z.array(
      z.object({
        model: z.string().min(1),
        provider: z.string().min(1),
        inputPerToken: z.number().nonnegative(),
        outputPerToken: z.number().nonnegative(),
        cachedInputPerToken: z.number().nonnegative().optional(),
        cacheCreationInputPerToken: z.number().nonnegative().optional(),
      }),
    ),
  }),
)
export type CostPricesAnswer = z.infer<ReturnType<typeof costPricesAnswer>>

/**
 * `goblin:audit-event`: observes each audit entry after it is durably appended. Options passed:
 * `{ entries: [{ seq, leafHash, envelope }] }`. The answer is ignored; only throws and time-outs are reported.
 */
export const AUDIT_EVENT_HOOK = 'goblin:audit-event'

/** The audit-event answer: anything, ignored. */
export const auditEventAnswer = lazySchema((z) => z.unknown())

export interface AuditEventOptions {
  entries: Array<{ seq: number; leafHash: string; envelope: Record<string, unknown> }>
}

/** Every goblin hook's options and answer, keyed by event name (the shape of oclif's `Hooks` interface). */
export interface GoblinHooks {
  [DOCTOR_CHECKS_HOOK]: { options: DoctorChecksOptions; return: DoctorChecksAnswer }
  [STACK_SERVICES_HOOK]: {
    options: StackServicesOptions
    return: z.input<ReturnType<typeof stackServicesAnswer>>
  }
  [COST_PRICES_HOOK]: { options: CostPricesOptions; return: CostPricesAnswer }
  [AUDIT_EVENT_HOOK]: { options: AuditEventOptions; return: unknown }
}
