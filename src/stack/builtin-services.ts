import { join } from 'node:path'
import { DEFAULT_STACK_PORTS } from './default-ports.js'
import type { PlanService } from './stack-plan.js'

/** The images goblin's stack runs, pinned by version; `stack.images` and `--image` override them. */
export const DEFAULT_IMAGES: Record<string, string> = {
  'otel-collector': 'docker.io/otel/opentelemetry-collector-contrib:0.116.1',
  tempo: 'docker.io/grafana/tempo:2.6.1',
  loki: 'docker.io/grafana/loki:3.3.2',
  prometheus: 'docker.io/prom/prometheus:v3.1.0',
  grafana: 'docker.io/grafana/grafana:11.4.0',
}

/** The env var that, when set, turns on API-key (bearer) auth on the collector's OTLP receivers. */
export const OTLP_API_KEY_ENV = 'GOBLIN_OTLP_API_KEY'

const port = (name: string, container: number) => ({
  name,
  container,
  host: DEFAULT_STACK_PORTS[name] ?? container,
  protocol: 'tcp' as const,
})

/**
 * goblin's own services, with the configuration files from `stack/` they run with. Host ports and images
 * are the defaults here; the plan builder applies goblin.config.json and flags.
 */
export function builtinServices(assetsDir: string, env: NodeJS.ProcessEnv): PlanService[] {
  const apiKey = env[OTLP_API_KEY_ENV]
  const collectorConfigs = [
    '/etc/otelcol-contrib/config.yaml',
    ...(apiKey ? ['/etc/otelcol-contrib/auth.yaml'] : []),
  ]
  const base = { imageSource: 'default' as const, secretEnv: [] as string[], source: 'goblin' }
  return [
    {
      ...base,
      name: 'tempo',
      image: DEFAULT_IMAGES.tempo ?? '',
      command: ['-config.file=/etc/tempo/tempo.yaml'],
      env: {},
      ports: [port('tempo', 3200)],
      mounts: [
        { source: join(assetsDir, 'tempo/tempo.yaml'), target: '/etc/tempo/tempo.yaml', readOnly: true },
      ],
      volumes: [{ name: 'goblin-tempo-data', target: '/var/tempo' }],
      dependsOn: [],
      healthcheck: { http: { port: 3200, path: '/ready' }, timeoutSeconds: 90 },
      // A fresh named volume is root-owned; Tempo's image user (10001) could not write it.
      user: '0',
    },
    {
      ...base,
      name: 'loki',
      image: DEFAULT_IMAGES.loki ?? '',
      command: ['-config.file=/etc/loki/loki.yaml'],
      env: {},
      ports: [port('loki', 3100)],
      mounts: [{ source: join(assetsDir, 'loki/loki.yaml'), target: '/etc/loki/loki.yaml', readOnly: true }],
      volumes: [{ name: 'goblin-loki-data', target: '/loki' }],
      dependsOn: [],
      healthcheck: { http: { port: 3100, path: '/ready' }, timeoutSeconds: 90 },
      user: '0',
    },
    {
      ...base,
      name: 'prometheus',
      image: DEFAULT_IMAGES.prometheus ?? '',
      command: [
        '--config.file=/etc/prometheus/prometheus.yml',
        '--storage.tsdb.path=/prometheus',
        '--web.enable-remote-write-receiver',
        '--web.enable-lifecycle',
      ],
      env: {},
      ports: [port('prometheus', 9090)],
      mounts: [
        {
          source: join(assetsDir, 'prometheus/prometheus.yml'),
          target: '/etc/prometheus/prometheus.yml',
          readOnly: true,
        },
        {
          source: join(assetsDir, 'prometheus/rules/goblin-policy.yml'),
          target: '/etc/prometheus/rules/goblin-policy.yml',
          readOnly: true,
        },
      ],
      volumes: [{ name: 'goblin-prometheus-data', target: '/prometheus' }],
      dependsOn: [],
      healthcheck: { http: { port: 9090, path: '/-/ready' }, timeoutSeconds: 60 },
      user: '0',
    },
    {
      ...base,
      name: 'otel-collector',
      image: DEFAULT_IMAGES['otel-collector'] ?? '',
      command: collectorConfigs.map((file) => `--config=${file}`),
      env: apiKey ? { [OTLP_API_KEY_ENV]: apiKey } : {},
      secretEnv: apiKey ? [OTLP_API_KEY_ENV] : [],
      ports: [port('otlp-grpc', 4317), port('otlp-http', 4318)],
      mounts: [
        {
          source: join(assetsDir, 'otel-collector/config.yaml'),
          target: '/etc/otelcol-contrib/config.yaml',
          readOnly: true,
        },
        ...(apiKey
          ? [
              {
                source: join(assetsDir, 'otel-collector/auth.yaml'),
                target: '/etc/otelcol-contrib/auth.yaml',
                readOnly: true,
              },
            ]
          : []),
      ],
      volumes: [{ name: 'goblin-audit-data', target: '/var/lib/goblin/audit' }],
      dependsOn: ['loki', 'prometheus', 'tempo'],
      // The health_check extension answers on 13133, which is not published: the runtime maps it.
      healthcheck: { http: { port: 13133, path: '/' }, timeoutSeconds: 60 },
      user: '0',
    },
    {
      ...base,
      name: 'grafana',
      image: DEFAULT_IMAGES.grafana ?? '',
      env: {
        GF_AUTH_ANONYMOUS_ENABLED: 'true',
        GF_AUTH_ANONYMOUS_ORG_ROLE: 'Admin',
        GF_AUTH_DISABLE_LOGIN_FORM: 'true',
        GF_FEATURE_TOGGLES_ENABLE: 'traceqlEditor',
        GF_ANALYTICS_REPORTING_ENABLED: 'false',
        GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: '/etc/goblin/dashboards/goblin-activity.json',
      },
      ports: [port('grafana', 3000)],
      mounts: [
        {
          source: join(assetsDir, 'grafana/provisioning'),
          target: '/etc/grafana/provisioning',
          readOnly: true,
        },
        { source: join(assetsDir, 'grafana/dashboards'), target: '/etc/goblin/dashboards', readOnly: true },
      ],
      volumes: [{ name: 'goblin-grafana-data', target: '/var/lib/grafana' }],
      dependsOn: ['loki', 'prometheus', 'tempo'],
      healthcheck: { http: { port: 3000, path: '/api/health' }, timeoutSeconds: 90 },
      user: '0',
    },
  ]
}
