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

/** `anchor`: where checkpoints are anchored (OpenTimestamps, Ethereum), checked (Bitcoin) and stored (S3). */
export const anchorSchema = z.strictObject({
  ots: z
    .strictObject({
      /** Calendars to stamp on: the public pool by default. */
      calendars: z
        .array(z.url())
        .min(1)
        .default([
          'https://a.pool.opentimestamps.org',
          'https://b.pool.opentimestamps.org',
          'https://a.pool.eternitywall.com',
        ]),
    })
    .default({
      calendars: [
        'https://a.pool.opentimestamps.org',
        'https://b.pool.opentimestamps.org',
        'https://a.pool.eternitywall.com',
      ],
    }),
  ethereum: z
    .strictObject({
      rpc_url: z.url().optional(),
      /** 11155111 is Sepolia. */
      chain_id: z.number().int().positive().default(11_155_111),
      confirmations: z.number().int().min(1).max(1000).default(3),
      /** Key file (mode 0600); default GOBLIN_HOME/keys/ethereum.key. GOBLIN_ETH_PRIVATE_KEY wins over it. */
      key_file: z.string().min(1).optional(),
    })
    .default({ chain_id: 11_155_111, confirmations: 3 }),
  bitcoin: z
    .strictObject({
      /** Block headers for checking Bitcoin attestations: an Esplora URL, rpc+http://user:pass@host:8332, or file:PATH. */
      source: z.string().min(1).default('https://blockstream.info/api'),
    })
    .default({ source: 'https://blockstream.info/api' }),
  s3: z
    .strictObject({
      bucket: z.string().min(3).optional(),
      prefix: z.string().default('goblin-audit'),
      retention_days: z.number().int().min(1).max(36_500).default(365),
      mode: z.enum(['compliance', 'governance']).default('compliance'),
      endpoint: z.url().optional(),
      region: z.string().min(1).optional(),
    })
    .default({ prefix: 'goblin-audit', retention_days: 365, mode: 'compliance' }),
})

export const projectConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  stack: z
    .strictObject({
      /** `goblin stack up`'s runtime: auto takes docker when an engine answers, else embedded. */
      runtime: z.enum(['auto', 'docker', 'embedded']).default('auto'),
      /** Image per service (`grafana`, `otel-collector`, ...); `--image SERVICE=REF` overrides it. */
      images: z.record(serviceName, z.string().min(1)).default({}),
      /** Host port per port name (`otlp-http`, `grafana`, ...); the plan rejects an unknown name. */
      ports: z.record(serviceName, port).default({}),
    })
    .default({ runtime: 'auto', images: {}, ports: {} }),
  collector: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: port.default(4318),
      /**
       * What a span answered 200 survives: `power-loss` (SQLite synchronous=FULL: an fsync of the WAL per
       * group commit, so also an OS crash or power loss) or only `process-crash` (synchronous=NORMAL, which
       * can lose the last commits to an OS crash or power loss). bench:collector measures the difference.
       */
      durability: z.enum(['power-loss', 'process-crash']).default('power-loss'),
      retention: z
        .strictObject({
          max_age_hours: z.number().positive().default(168),
          max_megabytes: z.number().positive().default(1024),
        })
        .default({ max_age_hours: 168, max_megabytes: 1024 }),
    })
    .default({
      host: '127.0.0.1',
      port: 4318,
      durability: 'power-loss',
      retention: { max_age_hours: 168, max_megabytes: 1024 },
    }),
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
  anchor: anchorSchema.default(anchorSchema.parse({})),
})

export type ProjectConfig = z.infer<typeof projectConfigSchema>
export type Budget = z.infer<typeof budgetSchema>
export type AnchorConfig = z.infer<typeof anchorSchema>

/** The settings a project without a `goblin.config.json` gets. */
export function defaultProjectConfig(): ProjectConfig {
  return projectConfigSchema.parse({})
}
