import type { ProjectConfig } from '../core/config-schema.js'
import { homePaths } from '../core/paths.js'
import type { AuditAggregator } from './audit-aggregator.js'
import { type ReadRoutes, type RunningCollector, startCollector } from './collector.js'
import { type CallPricer, llmCallsIndex } from './llm-calls.js'
import { metrics } from './metrics.js'

export interface ServeOptions {
  home: string
  config: ProjectConfig
  version: string
  /** Flags override the config's `collector` section. */
  host?: string
  port?: number
  queueCapacity?: number
  /** Prices each stored LLM call for trace costs and `goblin_cost_usd_total` (the cost module's tables). */
  price: CallPricer
  /** Aggregate `goblin.audit` log records into this ledger, signed with its key, trusting these keys. */
  audit?: { ledgerDir: string; keysDir: string; keyName?: string; trust?: string[]; keyringFile?: string }
  /** More GET routes: the console's page and read endpoints (src/console/console-api.ts). */
  readRoutes?: ReadRoutes
}

/**
 * Starts the collector as `goblin collector serve` runs it: settings from the project's `collector`
 * section under the flags, the span store under GOBLIN_HOME with its LLM-call index, priced by `price`.
 */
export async function serveCollector(options: ServeOptions): Promise<RunningCollector> {
  const settings = options.config.collector
  return startCollector({
    host: options.host ?? settings.host,
    port: options.port ?? settings.port,
    dir: homePaths.spans(options.home),
    version: options.version,
    indexes: [llmCallsIndex({ price: options.price, onCost: (labels, usd) => metrics.addCost(labels, usd) })],
    metrics,
    retention: {
      maxAgeHours: settings.retention.max_age_hours,
      maxMegabytes: settings.retention.max_megabytes,
    },
    queueCapacity: options.queueCapacity,
    durability: settings.durability,
    audit: options.audit ? await auditAggregator(options.audit) : undefined,
    readRoutes: options.readRoutes,
  })
}

/** The audit aggregator for `--audit`: the ledger's signer, and the services' keys it trusts. */
async function auditAggregator(audit: NonNullable<ServeOptions['audit']>): Promise<AuditAggregator> {
  const [{ createAuditAggregator }, { keyringSigningSession, loadSigner }, { resolveTrustedKeys }] =
    await Promise.all([
      import('./audit-aggregator.js'),
      import('../audit/keyring.js'),
      import('../audit/trust.js'),
    ])
  // Fails at start when there is no key; each append then signs with the key current at that moment.
  loadSigner(audit.keysDir, audit.keyName)
  const signer = keyringSigningSession(audit.keysDir, audit.keyName)
  const trusted = resolveTrustedKeys({
    vkeys: audit.trust,
    keyringFile: audit.keyringFile,
    keysDir: audit.keysDir,
  })
  return createAuditAggregator({ ledgerDir: audit.ledgerDir, signer, trusted, metrics })
}
