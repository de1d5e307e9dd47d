import type { ProjectConfig } from '../core/config-schema.js'
import { homePaths } from '../core/paths.js'
import { type RunningCollector, startCollector } from './collector.js'
import { metrics } from './metrics.js'
import type { IngestIndex } from './span-store.js'

export interface ServeOptions {
  home: string
  config: ProjectConfig
  version: string
  /** Flags override the config's `collector` section. */
  host?: string
  port?: number
  queueCapacity?: number
}

/**
 * Starts the collector as `goblin collector serve` runs it: settings from the project's `collector`
 * section under the flags, the span store under GOBLIN_HOME, the cost index when the cost module provides one.
 */
export async function serveCollector(options: ServeOptions): Promise<RunningCollector> {
  const settings = options.config.collector
  return startCollector({
    host: options.host ?? settings.host,
    port: options.port ?? settings.port,
    dir: homePaths.spans(options.home),
    version: options.version,
    indexes: await loadIngestIndexes(),
    metrics,
    retention: {
      maxAgeHours: settings.retention.max_age_hours,
      maxMegabytes: settings.retention.max_megabytes,
    },
    queueCapacity: options.queueCapacity,
  })
}

/**
 * The ingest indexes other modules contribute: today the cost module's `llm_calls` index, which adds
 * each stored LLM call's USD to `goblin_cost_usd_total`. Loaded by path so the collector runs without it.
 */
async function loadIngestIndexes(): Promise<IngestIndex[]> {
  const costModule = '../cost/llm-index.js'
  let mod: { llmCallsIndex?: (options: { onCost?: typeof metrics.addCost }) => IngestIndex }
  try {
    mod = await import(costModule)
  } catch {
    return []
  }
  if (typeof mod.llmCallsIndex !== 'function') return []
  return [mod.llmCallsIndex({ onCost: (labels, usd) => metrics.addCost(labels, usd) })]
}
