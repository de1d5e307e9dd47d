import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { builtinServices } from '../../../src/stack/builtin-services.js'
import { stackAssetsDir } from '../../../src/stack/package-root.js'

const dir = stackAssetsDir()
const yamlFile = (path: string) => parse(readFileSync(join(dir, path), 'utf8'))

/** Components a pipeline names must be defined; `type/name` ids count as defined by their full id. */
function undefinedComponents(config: Record<string, Record<string, unknown>>): string[] {
  const missing: string[] = []
  const pipelines = (config.service?.pipelines ?? {}) as Record<string, Record<string, string[]>>
  for (const [name, pipeline] of Object.entries(pipelines)) {
    for (const [kind, ids] of Object.entries(pipeline)) {
      for (const id of ids) {
        const sections =
          kind === 'receivers'
            ? ['receivers', 'connectors']
            : kind === 'exporters'
              ? ['exporters', 'connectors']
              : [kind]
        if (!sections.some((s) => config[s] && id in (config[s] as object)))
          missing.push(`${name}.${kind}.${id}`)
      }
    }
  }
  return missing
}

describe('the stack/ configuration files', () => {
  it('every file a service mounts exists', () => {
    for (const service of builtinServices(dir, { GOBLIN_OTLP_API_KEY: 'k' })) {
      for (const mount of service.mounts)
        expect(() => readFileSync(mount.source), mount.source).not.toThrow(/ENOENT/)
    }
  })

  it('the collector config wires OTLP in to Tempo, Loki, Prometheus and the audit file, with tail sampling', () => {
    const config = yamlFile('otel-collector/config.yaml')
    expect(undefinedComponents(config)).toEqual([])
    expect(Object.keys(config.receivers.otlp.protocols)).toEqual(['grpc', 'http'])
    const pipelines = config.service.pipelines
    expect(pipelines['traces/sampled'].processors).toEqual(['tail_sampling', 'batch'])
    expect(pipelines['traces/sampled'].exporters).toEqual(['otlp/tempo'])
    expect(pipelines.logs.exporters).toEqual(['otlphttp/loki'])
    expect(pipelines.metrics.exporters).toEqual(['prometheusremotewrite'])
    expect(pipelines['logs/audit'].exporters).toEqual(['file/audit'])
    for (const pipeline of Object.values(pipelines) as Array<{ processors?: string[] }>) {
      if (pipeline.processors?.includes('memory_limiter'))
        expect(pipeline.processors[0]).toBe('memory_limiter')
    }
    const policies = config.processors.tail_sampling.policies as Array<
      Record<string, Record<string, unknown>>
    >
    expect(policies.find((p) => p.type === ('status_code' as never))?.status_code?.status_codes).toEqual([
      'ERROR',
    ])
    const rest = policies.find((p) => p.type === ('probabilistic' as never))?.probabilistic
      ?.sampling_percentage
    expect(rest).toBeGreaterThanOrEqual(20)
  })

  it('the auth overlay requires a bearer key on both OTLP protocols', () => {
    const auth = yamlFile('otel-collector/auth.yaml')
    expect(auth.receivers.otlp.protocols.grpc.auth.authenticator).toBe('bearertokenauth/otlp')
    expect(auth.receivers.otlp.protocols.http.auth.authenticator).toBe('bearertokenauth/otlp')
    expect(auth.extensions['bearertokenauth/otlp'].token).toBe('${env:GOBLIN_OTLP_API_KEY}')
  })

  it("Grafana's datasources link traces to logs and metrics, and every dashboard uses only them", () => {
    const { datasources } = yamlFile('grafana/provisioning/datasources/datasources.yaml') as {
      datasources: Array<{ uid: string; type: string; jsonData: Record<string, { datasourceUid?: string }> }>
    }
    const uids = new Set(datasources.map((d) => d.uid))
    const tempo = datasources.find((d) => d.type === 'tempo')
    expect(tempo?.jsonData.tracesToLogsV2?.datasourceUid).toBe('goblin-loki')
    expect(tempo?.jsonData.tracesToMetrics?.datasourceUid).toBe('goblin-prometheus')
    expect(tempo?.jsonData.serviceMap?.datasourceUid).toBe('goblin-prometheus')
    const files = readdirSync(join(dir, 'grafana/dashboards')).sort()
    expect(files).toEqual([
      'audit-anchor-health.json',
      'goblin-activity.json',
      'model-cost.json',
      'service-map.json',
    ])
    for (const file of files) {
      const dashboard = JSON.parse(readFileSync(join(dir, 'grafana/dashboards', file), 'utf8'))
      expect(dashboard.uid).toMatch(/^goblin-/)
      expect(dashboard.panels.length).toBeGreaterThan(2)
      for (const panel of dashboard.panels) {
        expect(uids.has(panel.datasource.uid), `${file}: ${panel.title}`).toBe(true)
        for (const target of panel.targets) expect(uids.has(target.datasource.uid)).toBe(true)
      }
    }
    const serviceMap = JSON.parse(readFileSync(join(dir, 'grafana/dashboards/service-map.json'), 'utf8'))
    expect(serviceMap.panels[0]).toMatchObject({ type: 'nodeGraph', targets: [{ queryType: 'serviceMap' }] })
  })

  it('Prometheus, Tempo and Loki configs parse and listen where the plan probes them', () => {
    expect(yamlFile('prometheus/prometheus.yml').scrape_configs.length).toBeGreaterThan(0)
    expect(yamlFile('tempo/tempo.yaml').server.http_listen_port).toBe(3200)
    expect(yamlFile('loki/loki.yaml').server.http_listen_port).toBe(3100)
  })
})
