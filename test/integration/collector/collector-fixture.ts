import {
  type CollectorOptions,
  type RunningCollector,
  startCollector,
} from '../../../src/collector/collector.js'
import { CollectorMetrics } from '../../../src/collector/metrics.js'
import { tempDir } from '../../helpers/cli.js'

export interface TestCollector {
  collector: RunningCollector
  metrics: CollectorMetrics
  dir: string
  /** Closes the collector and removes its store. */
  stop(): Promise<void>
}

/** A real collector on 127.0.0.1 on an ephemeral port, its store in a fresh temp dir. */
export async function startTestCollector(options: Partial<CollectorOptions> = {}): Promise<TestCollector> {
  const dir = options.dir ? { path: options.dir, cleanup: () => {} } : tempDir('goblin-collector-')
  const metrics = options.metrics ?? new CollectorMetrics()
  const collector = await startCollector({
    host: '127.0.0.1',
    port: 0,
    dir: dir.path,
    version: 'test',
    ...options,
    metrics,
  })
  return {
    collector,
    metrics,
    dir: dir.path,
    async stop() {
      await collector.close()
      dir.cleanup()
    },
  }
}

/** The value of one sample in a Prometheus exposition, or undefined. */
export function metricValue(exposition: string, sample: string): number | undefined {
  const line = exposition.split('\n').find((l) => l.startsWith(`${sample} `))
  return line === undefined ? undefined : Number(line.slice(sample.length + 1))
}
