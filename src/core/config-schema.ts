import type { z } from 'zod'
import { lazySchema } from './lazy-zod.js'

/**
 * The schema of `goblin.config.json`, and with it every default of a project's settings.
 * Sections are strict: an unknown key is an error, so a typo never silently does nothing.
 *
 * Built on first use, and zod loaded then: loading zod and building these objects cost a command about a
 * bare `node` start, and a valid config is read without them (src/core/schema-parse.ts, src/core/config.ts).
 */
export const configSchemas = lazySchema(buildConfigSchemas)

function buildConfigSchemas(z: typeof import('zod').z) {
  const port = z.number().int().min(1).max(65_535)
  const serviceName = z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/, 'a service name is lowercase letters, digits and dashes')

  const budgetSchema = z.strictObject({
    goblin: z
      .string()
      .min(1)
      .optional()
      .describe('the goblin whose calls this envelope covers (omitted: every goblin)'),
    task: z
      .string()
      .min(1)
      .optional()
      .describe('the task whose calls this envelope covers (omitted: every task)'),
    period: z
      .enum(['day', 'week', 'month'])
      .describe('UTC period: a day from 00:00 UTC, an ISO week from Monday, a calendar month from the 1st'),
    usd: z.number().positive().describe('the budget in USD for one period'),
    warn_at: z
      .number()
      .gt(0)
      .max(1)
      .default(0.8)
      .describe('share of the budget (0..1) from which `goblin cost check` warns'),
  })

  /** `anchor`: where checkpoints are anchored (OpenTimestamps, Ethereum), checked (Bitcoin) and stored (S3). */
  const anchorSchema = z.strictObject({
    ots: z
      .strictObject({
        calendars: z
          .array(z.url())
          .min(1)
          .default([
            'https://a.pool.opentimestamps.org',
            'https://b.pool.opentimestamps.org',
            'https://a.pool.eternitywall.com',
          ])
          .describe(
            'OpenTimestamps calendars `goblin audit anchor --ots` stamps on (one answering is enough)',
          ),
      })
      .default({
        calendars: [
          'https://a.pool.opentimestamps.org',
          'https://b.pool.opentimestamps.org',
          'https://a.pool.eternitywall.com',
        ],
      })
      .describe('OpenTimestamps (Bitcoin) anchoring'),
    ethereum: z
      .strictObject({
        rpc_url: z
          .url()
          .optional()
          .describe(
            'Ethereum JSON-RPC URL for `audit anchor --ethereum` and `audit verify --online`; only its origin is stored',
          ),
        chain_id: z
          .number()
          .int()
          .positive()
          .default(11_155_111)
          .describe('the chain to anchor on (11155111: Sepolia)'),
        confirmations: z
          .number()
          .int()
          .min(1)
          .max(1000)
          .default(3)
          .describe('blocks to wait for after the anchoring transaction'),
        key_file: z
          .string()
          .min(1)
          .optional()
          .describe(
            'signer key file (mode 0600); default GOBLIN_HOME/keys/ethereum.key; GOBLIN_ETH_PRIVATE_KEY wins over it',
          ),
      })
      .default({ chain_id: 11_155_111, confirmations: 3 })
      .describe('Ethereum anchoring: a zero-value transaction whose calldata carries the root'),
    bitcoin: z
      .strictObject({
        source: z
          .string()
          .min(1)
          .default('https://blockstream.info/api')
          .describe(
            'block headers for checking Bitcoin attestations: an Esplora URL, rpc+http://user:pass@host:8332, or file:PATH',
          ),
      })
      .default({ source: 'https://blockstream.info/api' })
      .describe('where `audit verify --online` reads Bitcoin block headers'),
    s3: z
      .strictObject({
        bucket: z
          .string()
          .min(3)
          .optional()
          .describe('bucket `goblin audit push` stores the sealed log in (Object Lock on)'),
        prefix: z.string().default('goblin-audit').describe('key prefix of the stored objects'),
        retention_days: z
          .number()
          .int()
          .min(1)
          .max(36_500)
          .default(365)
          .describe('days each object is locked against deletion and overwrite'),
        mode: z
          .enum(['compliance', 'governance'])
          .default('compliance')
          .describe(
            'Object Lock mode: compliance binds even the account root; governance can be lifted by permission',
          ),
        endpoint: z.url().optional().describe('an S3-compatible endpoint instead of AWS'),
        region: z
          .string()
          .min(1)
          .optional()
          .describe("the bucket's region (default: the AWS SDK's own chain)"),
      })
      .default({ prefix: 'goblin-audit', retention_days: 365, mode: 'compliance' })
      .describe('storing the log under S3 Object Lock'),
  })

  const projectConfigSchema = z.strictObject({
    $schema: z
      .string()
      .optional()
      .describe('the JSON Schema of this file, for editors (`goblin config schema`)'),
    stack: z
      .strictObject({
        runtime: z
          .enum(['auto', 'docker', 'embedded'])
          .default('auto')
          .describe("`goblin stack up`'s runtime: auto takes docker when an engine answers, else embedded"),
        images: z
          .record(serviceName, z.string().min(1))
          .default({})
          .describe(
            'image per service (`grafana`, `otel-collector`, ...); `--image SERVICE=REF` overrides it',
          ),
        ports: z
          .record(serviceName, port)
          .default({})
          .describe(
            'host port per port name (`otlp-http`, `otlp-grpc`, `grafana`, `tempo`, `loki`, `prometheus`); another name is refused',
          ),
      })
      .default({ runtime: 'auto', images: {}, ports: {} })
      .describe('the observability stack (`goblin stack`)'),
    collector: z
      .strictObject({
        host: z.string().min(1).default('127.0.0.1').describe('address the embedded collector listens on'),
        port: port
          .default(4318)
          .describe('port the embedded collector listens on (OTLP/HTTP and the query API)'),
        /**
         * What a span answered 200 survives: `power-loss` (SQLite synchronous=FULL: an fsync of the WAL per
         * group commit, so also an OS crash or power loss) or only `process-crash` (synchronous=NORMAL, which
         * can lose the last commits to an OS crash or power loss). bench:collector measures the difference.
         */
        durability: z
          .enum(['power-loss', 'process-crash'])
          .default('power-loss')
          .describe(
            'what a span answered 200 survives: power-loss (the WAL fsynced at each group commit) or process-crash only',
          ),
        retention: z
          .strictObject({
            max_age_hours: z
              .number()
              .positive()
              .default(168)
              .describe('traces that ended longer ago are deleted'),
            max_megabytes: z
              .number()
              .positive()
              .default(1024)
              .describe('the oldest traces are deleted until the store is under 90% of this size'),
          })
          .default({ max_age_hours: 168, max_megabytes: 1024 })
          .describe('how long the store keeps what it received (applied at start and every minute)'),
      })
      .default({
        host: '127.0.0.1',
        port: 4318,
        durability: 'power-loss',
        retention: { max_age_hours: 168, max_megabytes: 1024 },
      })
      .describe('the embedded collector (`goblin collector serve`, the embedded stack)'),
    trace: z
      .strictObject({
        backend: z
          .enum(['auto', 'embedded', 'tempo'])
          .default('auto')
          .describe('where `goblin trace` reads traces: auto follows the running stack'),
        endpoint: z.url().optional().describe("the trace backend's URL (default: the running stack's)"),
      })
      .default({ backend: 'auto' })
      .describe('reading traces (`goblin trace list/show/tail`)'),
    audit: z
      .strictObject({
        ledger: z
          .string()
          .min(1)
          .optional()
          .describe('ledger directory, relative to this file (default: GOBLIN_HOME/audit)'),
        origin: z
          .string()
          .min(1)
          .optional()
          .describe(
            "the log's checkpoint origin (default: a key named like an origin, `example.com/audit`, is its own; else `goblin/` and the key's name)",
          ),
        key: z
          .string()
          .min(1)
          .optional()
          .describe('name of the signing key under GOBLIN_HOME/keys (default: the only active key)'),
        witnesses: z
          .array(
            z.strictObject({
              url: z
                .url()
                .describe("the witness's submission prefix (`goblin audit witness serve` prints it)"),
              vkey: z
                .string()
                .min(1)
                .describe("the witness's cosigner verifier key (signature type 0x04), as it prints it"),
            }),
          )
          .default([])
          .describe(
            'C2SP tlog-witness witnesses `goblin audit checkpoint` submits each new checkpoint to, storing their cosignatures',
          ),
      })
      .default({ witnesses: [] })
      .describe('the signed audit log (`goblin audit`)'),
    cost: z
      .strictObject({
        budgets: z
          .array(budgetSchema)
          .default([])
          .describe('cost envelopes that `goblin cost check` and costGuard apply'),
      })
      .default({ budgets: [] })
      .describe('LLM cost'),
    anchor: anchorSchema
      .default(anchorSchema.parse({}))
      .describe(
        'anchoring checkpoints (`goblin audit anchor`), checking anchors, storing the log (`goblin audit push`)',
      ),
    policy: z
      .strictObject({
        files: z
          .array(z.string().min(1))
          .min(1)
          .default(['policies/'])
          .describe(
            'Cedar policy files or directories (their `*.cedar`, recursively), relative to this file',
          ),
        schema: z
          .string()
          .min(1)
          .optional()
          .describe(
            "a Cedar schema file to validate against instead of goblin's own (`goblin policy schema`)",
          ),
      })
      .default({ files: ['policies/'] })
      .describe('guardrails: Cedar policies (`goblin policy`, guard, the coding-agent hooks)'),
  })

  return { projectConfigSchema, budgetSchema, anchorSchema }
}

type ConfigSchemas = ReturnType<typeof buildConfigSchemas>
export type ProjectConfig = z.infer<ConfigSchemas['projectConfigSchema']>
export type Budget = z.infer<ConfigSchemas['budgetSchema']>
export type AnchorConfig = z.infer<ConfigSchemas['anchorSchema']>
export type PolicyConfig = ProjectConfig['policy']

/** The settings a project without a `goblin.config.json` gets. */
export function defaultProjectConfig(): ProjectConfig {
  return configSchemas().projectConfigSchema.parse({})
}
