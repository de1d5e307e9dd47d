import { describe, expect, it } from 'vitest'
import { configSchemas } from '../../../src/core/config-schema.js'
import { DEFAULT_IMAGES } from '../../../src/stack/builtin-services.js'
import { buildStackPlan, parseImageFlags, redactPlan } from '../../../src/stack/plan-builder.js'
import { startOrder } from '../../../src/stack/stack-plan.js'

const config = (stack: Record<string, unknown> = {}) => configSchemas().projectConfigSchema.parse({ stack })
const assetsDir = '/opt/goblin/stack'

describe('buildStackPlan', () => {
  it("plans goblin's five services with pinned images, ports, mounts from stack/, volumes and health checks", () => {
    const { plan, warnings } = buildStackPlan({ config: config(), assetsDir, env: {} })
    expect(warnings).toEqual([])
    expect(plan.network).toBe('goblin')
    expect(plan.services.map((s) => s.name).sort()).toEqual([
      'grafana',
      'loki',
      'otel-collector',
      'prometheus',
      'tempo',
    ])
    for (const service of plan.services) {
      expect(service.image).toMatch(/:[0-9v][\w.-]*$/)
      expect(service.healthcheck).not.toBeNull()
      for (const mount of service.mounts) expect(mount.source.startsWith(`${assetsDir}/`)).toBe(true)
    }
    const collector = plan.services.find((s) => s.name === 'otel-collector')
    expect(collector?.ports.map((p) => [p.name, p.host, p.container])).toEqual([
      ['otlp-grpc', 4317, 4317],
      ['otlp-http', 4318, 4318],
    ])
    expect(collector?.dependsOn).toEqual(['loki', 'prometheus', 'tempo'])
    expect(plan.volumes).toContain('goblin-grafana-data')
  })

  it('starts storage backends first, then the collector and Grafana', () => {
    const { plan } = buildStackPlan({ config: config(), assetsDir, env: {} })
    expect(startOrder(plan.services)).toEqual([
      ['loki', 'prometheus', 'tempo'],
      ['grafana', 'otel-collector'],
    ])
    expect(() =>
      startOrder([
        { name: 'a', dependsOn: ['b'] },
        { name: 'b', dependsOn: ['a'] },
      ]),
    ).toThrow(/cycle/)
  })

  it('applies stack.images, then --image, and stack.ports', () => {
    const { plan } = buildStackPlan({
      config: config({
        images: { grafana: 'example/grafana:1', tempo: 'example/tempo:1' },
        ports: { grafana: 13000 },
      }),
      imageFlags: ['grafana=registry.local/grafana:2'],
      assetsDir,
      env: {},
    })
    const grafana = plan.services.find((s) => s.name === 'grafana')
    expect(grafana).toMatchObject({ image: 'registry.local/grafana:2', imageSource: 'flag' })
    expect(grafana?.ports[0]?.host).toBe(13000)
    expect(plan.services.find((s) => s.name === 'tempo')).toMatchObject({
      image: 'example/tempo:1',
      imageSource: 'config',
    })
    expect(plan.services.find((s) => s.name === 'loki')?.image).toBe(DEFAULT_IMAGES.loki)
  })

  it('rejects an unknown service or port name, and one host port given twice (exit 2)', () => {
    expect(() =>
      buildStackPlan({ config: config(), imageFlags: ['grafna=x:1'], assetsDir, env: {} }),
    ).toThrowError(expect.objectContaining({ code: 'STACK_UNKNOWN_SERVICE', exit: 2 }))
    expect(() =>
      buildStackPlan({ config: config({ images: { jaeger: 'x:1' } }), assetsDir, env: {} }),
    ).toThrowError(/stack.images: the stack has no service named jaeger/)
    expect(() =>
      buildStackPlan({ config: config({ ports: { grafanna: 1 } }), assetsDir, env: {} }),
    ).toThrowError(expect.objectContaining({ code: 'STACK_UNKNOWN_PORT', exit: 2 }))
    expect(() =>
      buildStackPlan({ config: config({ ports: { grafana: 9090 } }), assetsDir, env: {} }),
    ).toThrowError(expect.objectContaining({ code: 'STACK_PORT_TWICE' }))
  })

  it('adds plugin services; a clash with a built-in or an unknown dependency is a warning', () => {
    const { plan, warnings } = buildStackPlan({
      config: config(),
      assetsDir,
      env: {},
      pluginServices: [
        {
          plugin: 'goblin-plugin-redis',
          services: [
            {
              name: 'redis',
              image: 'redis:7',
              ports: [{ container: 6379, host: 16379 }],
              env: {},
              dependsOn: ['otel-collector', 'nope'],
              healthcheck: { command: ['redis-cli', 'ping'], timeoutSeconds: 30 },
            },
            { name: 'grafana', image: 'evil:1', ports: [], env: {}, dependsOn: [] },
          ],
        },
      ],
    })
    const redis = plan.services.find((s) => s.name === 'redis')
    expect(redis).toMatchObject({ source: 'goblin-plugin-redis', dependsOn: ['otel-collector'] })
    expect(redis?.ports).toEqual([{ name: 'redis', container: 6379, host: 16379, protocol: 'tcp' }])
    expect(redis?.healthcheck?.command).toEqual(['redis-cli', 'ping'])
    expect(plan.services.find((s) => s.name === 'grafana')?.image).toBe(DEFAULT_IMAGES.grafana)
    expect(warnings).toEqual([
      'plugin goblin-plugin-redis: service grafana already exists in the stack; skipped',
      'service redis depends on unknown service(s) nope; ignored',
    ])
    expect(startOrder(plan.services).at(-1)).toEqual(['redis'])
  })

  it('turns on OTLP API-key auth when GOBLIN_OTLP_API_KEY is set, and redacts the key', () => {
    const { plan } = buildStackPlan({ config: config(), assetsDir, env: { GOBLIN_OTLP_API_KEY: 's3cret' } })
    const collector = plan.services.find((s) => s.name === 'otel-collector')
    expect(collector?.command).toEqual([
      '--config=/etc/otelcol-contrib/config.yaml',
      '--config=/etc/otelcol-contrib/auth.yaml',
    ])
    expect(collector?.env.GOBLIN_OTLP_API_KEY).toBe('s3cret')
    expect(JSON.stringify(redactPlan(plan))).not.toContain('s3cret')
  })
})

describe('parseImageFlags', () => {
  it('reads SERVICE=REF, keeping = and : inside the reference', () => {
    expect(parseImageFlags(['grafana=127.0.0.1:5000/g:1', 'tempo=x@sha256:ab=='])).toEqual({
      grafana: '127.0.0.1:5000/g:1',
      tempo: 'x@sha256:ab==',
    })
  })

  it('rejects a flag without a service or an image (exit 2)', () => {
    for (const bad of ['grafana', '=x:1', 'grafana=', 'Grafana=x:1']) {
      expect(() => parseImageFlags([bad])).toThrowError(
        expect.objectContaining({ code: 'STACK_IMAGE_FLAG', exit: 2 }),
      )
    }
  })
})
