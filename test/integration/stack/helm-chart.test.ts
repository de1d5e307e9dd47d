import { execa } from 'execa'
import { describe, expect, it } from 'vitest'
import { parse, parseAllDocuments } from 'yaml'
import { chartDir } from '../../../src/stack/helm-deploy.js'

/**
 * The Helm chart, linted and rendered by the real helm (CI installs it with test/support/install-helm.sh),
 * then read as YAML: what each stage deploys, and that the collector configs it carries are wired.
 */
type Manifest = { kind: string; metadata: { name: string }; spec?: any; data?: Record<string, string> }

async function render(stage: string): Promise<Manifest[]> {
  const result = await execa('helm', [
    'template',
    'goblin-stack',
    chartDir(),
    '-n',
    'observability',
    '-f',
    `${chartDir()}/values-${stage}.yaml`,
  ])
  return parseAllDocuments(String(result.stdout))
    .map((d) => d.toJS() as Manifest)
    .filter(Boolean)
}

const find = (docs: Manifest[], kind: string, name: string) =>
  docs.find((d) => d.kind === kind && d.metadata.name === name)

/** Components a pipeline names must be defined (receivers and exporters may be connectors). */
function undefinedComponents(config: Record<string, any>): string[] {
  const missing: string[] = []
  for (const [name, pipeline] of Object.entries(
    config.service.pipelines as Record<string, Record<string, string[]>>,
  )) {
    for (const [kind, ids] of Object.entries(pipeline)) {
      const sections = kind === 'processors' ? ['processors'] : [kind, 'connectors']
      for (const id of ids)
        if (!sections.some((s) => config[s] && id in config[s])) missing.push(`${name}.${kind}.${id}`)
    }
  }
  return missing
}

describe('the goblin-stack Helm chart', () => {
  it('lints for both stages', async () => {
    for (const stage of ['staging', 'prod']) {
      const result = await execa('helm', ['lint', chartDir(), '-f', `${chartDir()}/values-${stage}.yaml`], {
        reject: false,
      })
      expect(result.exitCode, String(result.stdout)).toBe(0)
      expect(String(result.stdout)).toContain('0 chart(s) failed')
    }
  })

  it('renders agents as a DaemonSet and a gateway Deployment, with mTLS between them', async () => {
    const docs = await render('prod')
    const agent = find(docs, 'DaemonSet', 'goblin-stack-agent')
    const gateway = find(docs, 'Deployment', 'goblin-stack-gateway')
    expect(agent).toBeDefined()
    expect(gateway?.spec.replicas).toBe(3)
    const secret = find(docs, 'Secret', 'goblin-stack-mtls')
    expect(Object.keys(secret?.data ?? {}).sort()).toEqual([
      'ca.crt',
      'client.crt',
      'client.key',
      'tls.crt',
      'tls.key',
    ])
    expect(Buffer.from(secret?.data?.['tls.crt'] ?? '', 'base64').toString()).toContain('BEGIN CERTIFICATE')

    const agentConfig = parse(find(docs, 'ConfigMap', 'goblin-stack-agent')?.data?.['config.yaml'] ?? '')
    expect(undefinedComponents(agentConfig)).toEqual([])
    expect(agentConfig.exporters['otlp/gateway']).toEqual({
      endpoint: 'goblin-stack-gateway.observability.svc:4317',
      tls: {
        ca_file: '/etc/goblin/mtls/ca.crt',
        cert_file: '/etc/goblin/mtls/client.crt',
        key_file: '/etc/goblin/mtls/client.key',
      },
    })
    const gatewayConfig = parse(find(docs, 'ConfigMap', 'goblin-stack-gateway')?.data?.['config.yaml'] ?? '')
    expect(undefinedComponents(gatewayConfig)).toEqual([])
    expect(gatewayConfig.receivers['otlp/agents'].protocols.grpc.tls.client_ca_file).toBe(
      '/etc/goblin/mtls/ca.crt',
    )
    // prod: the ingress receiver requires the API key, read from a Secret into the gateway's env.
    expect(gatewayConfig.receivers['otlp/ingress'].protocols.http.auth.authenticator).toBe(
      'bearertokenauth/ingress',
    )
    expect(gateway?.spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name).toBe(
      'goblin-otlp-api-key',
    )
    const policies = gatewayConfig.processors.tail_sampling.policies
    expect(policies.map((p: { type: string }) => p.type)).toEqual(['status_code', 'latency', 'probabilistic'])
    expect(policies[2].probabilistic.sampling_percentage).toBeGreaterThanOrEqual(20)
    expect(
      find(docs, 'Ingress', 'goblin-stack-otlp')?.spec.rules[0].http.paths[0].backend.service.port.name,
    ).toBe('otlp-ingress')
  })

  it('admits OTLP only from namespaces labelled for telemetry', async () => {
    const docs = await render('staging')
    const agentPolicy = find(docs, 'NetworkPolicy', 'goblin-stack-agent')
    expect(agentPolicy?.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'telemetry.goblin.dev/otlp': 'true' } } }],
        ports: [
          { protocol: 'TCP', port: 4317 },
          { protocol: 'TCP', port: 4318 },
        ],
      },
    ])
    const gatewayPolicy = find(docs, 'NetworkPolicy', 'goblin-stack-gateway')
    for (const rule of gatewayPolicy?.spec.ingress ?? []) {
      for (const from of rule.from) {
        const labels = from.namespaceSelector?.matchLabels ?? from.podSelector?.matchLabels
        expect(labels).toBeDefined()
      }
    }
  })

  it('staging differs from prod: one gateway, more sampling, no API key, no Ingress', async () => {
    const docs = await render('staging')
    expect(find(docs, 'Deployment', 'goblin-stack-gateway')?.spec.replicas).toBe(1)
    expect(find(docs, 'Ingress', 'goblin-stack-otlp')).toBeUndefined()
    const gatewayConfig = parse(find(docs, 'ConfigMap', 'goblin-stack-gateway')?.data?.['config.yaml'] ?? '')
    expect(gatewayConfig.receivers['otlp/ingress'].protocols.http.auth).toBeUndefined()
    expect(gatewayConfig.processors.tail_sampling.policies[2].probabilistic.sampling_percentage).toBe(50)
  })
})
