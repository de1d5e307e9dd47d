import { z } from 'zod'

/**
 * The schema of `goblin.config.json`, and with it every default of a project's settings.
 * Sections are strict: an unknown key is an error, so a typo never silently does nothing.
 */

const port = z.number().int().min(1).max(65_535)
const serviceName = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'a service name is lowercase letters, digits and dashes')

export const budgetSchema = z.strictObject({
  goblin: z.string().min(1).optional(),
  task: z.string().min(1).optional(),
  period: z.enum(['day', 'week', 'month']),
  usd: z.number().positive(),
  /** Fraction of the budget at which `goblin cost check` warns (0..1). */
  warn_at: z.number().gt(0).max(1).default(0.8),
})

export const projectConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  stack: z
    .strictObject({
      runtime: z.enum(['auto', 'docker', 'embedded']).default('auto'),
      images: z.record(serviceName, z.string().min(1)).default({}),
      ports: z.record(serviceName, port).default({}),
    })
    .default({ runtime: 'auto', images: {}, ports: {} }),
  collector: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: port.default(4318),
      retention: z
        .strictObject({
          max_age_hours: z.number().positive().default(168),
          max_megabytes: z.number().positive().default(1024),
        })
        .default({ max_age_hours: 168, max_megabytes: 1024 }),
    })
    .default({ host: '127.0.0.1', port: 4318, retention: { max_age_hours: 168, max_megabytes: 1024 } }),
  trace: z
    .strictObject({
      backend: z.enum(['auto', 'embedded', 'tempo']).default('auto'),
      endpoint: z.url().optional(),
    })
    .default({ backend: 'auto' }),
  audit: z
    .strictObject({
      ledger: z.string().min(1).optional(),
      origin: z.string().min(1).optional(),
      key: z.string().min(1).optional(),
    })
    .default({}),
  cost: z
    .strictObject({
      budgets: z.array(budgetSchema).default([]),
    })
    .default({ budgets: [] }),
})

export type ProjectConfig = z.infer<typeof projectConfigSchema>
export type Budget = z.infer<typeof budgetSchema>

/** The settings a project without a `goblin.config.json` gets. */
export function defaultProjectConfig(): ProjectConfig {
  return projectConfigSchema.parse({})
}
