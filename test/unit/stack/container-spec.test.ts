import { describe, expect, it } from 'vitest'
import { configSchemas } from '../../../src/core/config-schema.js'
import {
  containerCreateOptions,
  healthFromLabels,
  planHash,
  portNamesFromLabels,
} from '../../../src/stack/container-spec.js'
import { demuxBuffer } from '../../../src/stack/docker-runtime.js'
import { listResources, redactSecrets } from '../../../src/stack/helm-deploy.js'
import { buildStackPlan } from '../../../src/stack/plan-builder.js'

const plan = buildStackPlan({
  config: configSchemas().projectConfigSchema.parse({}),
  assetsDir: '/opt/goblin/stack',
  env: {},
}).plan
const service = (name: string) => {
  const found = plan.services.find((s) => s.name === name)
  if (!found) throw new Error(name)
  return found
}

describe('containerCreateOptions', () => {
  it("labels the container as goblin's, joins the goblin network under the service name, publishes on 127.0.0.1", () => {
    const options = containerCreateOptions(service('grafana')) as Record<string, any>
    expect(options.name).toBe('goblin-grafana')
    expect(options.Labels['dev.goblin.managed']).toBe('true')
    expect(options.Labels['dev.goblin.service']).toBe('grafana')
    expect(options.Labels['dev.goblin.plan-hash']).toBe(planHash(service('grafana')))
    expect(options.HostConfig.PortBindings).toEqual({
      '3000/tcp': [{ HostIp: '127.0.0.1', HostPort: '3000' }],
    })
    expect(options.HostConfig.NetworkMode).toBe('goblin')
    expect(options.NetworkingConfig.EndpointsConfig.goblin.Aliases).toEqual(['grafana'])
    expect(options.HostConfig.Binds).toContain(
      '/opt/goblin/stack/grafana/dashboards:/etc/goblin/dashboards:ro',
    )
    expect(options.HostConfig.Binds).toContain('goblin-grafana-data:/var/lib/grafana')
    expect(options.Env).toContain('GF_AUTH_ANONYMOUS_ENABLED=true')
    expect(healthFromLabels(options.Labels)).toEqual(service('grafana').healthcheck)
    expect(portNamesFromLabels(options.Labels)).toEqual({ '3000/tcp': 'grafana' })
  })

  it('publishes an unpublished health port on an ephemeral 127.0.0.1 port', () => {
    const options = containerCreateOptions(service('otel-collector')) as Record<string, any>
    expect(options.HostConfig.PortBindings['13133/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: '' }])
    expect(portNamesFromLabels(options.Labels)).toEqual({ '4317/tcp': 'otlp-grpc', '4318/tcp': 'otlp-http' })
  })

  it('changes the plan hash when the image or a port changes, not otherwise', () => {
    const grafana = service('grafana')
    expect(planHash({ ...grafana })).toBe(planHash(grafana))
    expect(planHash({ ...grafana, image: 'grafana/grafana:12.0.0' })).not.toBe(planHash(grafana))
    expect(planHash({ ...grafana, ports: [{ ...grafana.ports[0], host: 13000 } as never] })).not.toBe(
      planHash(grafana),
    )
  })
})

describe('demuxBuffer', () => {
  it('joins the payloads of multiplexed stdout/stderr frames', () => {
    const frame = (stream: number, text: string) => {
      const payload = Buffer.from(text)
      const header = Buffer.alloc(8)
      header[0] = stream
      header.writeUInt32BE(payload.length, 4)
      return Buffer.concat([header, payload])
    }
    expect(demuxBuffer(Buffer.concat([frame(1, 'out line\n'), frame(2, 'err line\n')]))).toBe(
      'out line\nerr line\n',
    )
    expect(demuxBuffer(Buffer.from('plain text\n'))).toBe('plain text\n')
  })
})

describe('helm manifests', () => {
  const manifests = [
    '---',
    '# Source: goblin-stack/templates/mtls-secret.yaml',
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: goblin-stack-mtls',
    'data:',
    '  tls.key: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t',
    'stringData:',
    '  token: hunter2',
    '---',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: goblin-stack-gateway',
    'data:',
    '  config.yaml: "receivers: {}"',
  ].join('\n')

  it('lists kind and name of each resource', () => {
    expect(listResources(manifests)).toEqual([
      { kind: 'Secret', name: 'goblin-stack-mtls' },
      { kind: 'ConfigMap', name: 'goblin-stack-gateway' },
    ])
  })

  it('redacts Secret data and stringData, and nothing else', () => {
    const redacted = redactSecrets(manifests)
    expect(redacted).not.toContain('LS0tLS1CRUdJTi')
    expect(redacted).not.toContain('hunter2')
    expect(redacted).toContain('tls.key: REDACTED')
    expect(redacted).toContain('config.yaml: "receivers: {}"')
    expect(listResources(redacted)).toHaveLength(2)
  })
})
