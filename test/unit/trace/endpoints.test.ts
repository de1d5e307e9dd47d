import { mkdirSync, writeFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defaultProjectConfig } from '../../../src/core/config-schema.js'
import { homePaths } from '../../../src/core/paths.js'
import { dockerStateOf, removeDockerState, writeDockerState } from '../../../src/stack/docker-state.js'
import { embeddedStateFile } from '../../../src/stack/embedded-state.js'
import { collectorUrl, resolveBackend } from '../../../src/trace/endpoints.js'
import { parseAttrFlags } from '../../../src/trace/exec.js'
import { normalizeTraceId } from '../../../src/trace/trace-id.js'
import { tempDir } from '../../helpers/cli.js'

describe('trace backend resolution', () => {
  let home: ReturnType<typeof tempDir>
  beforeEach(() => {
    home = tempDir()
  })
  afterEach(() => home.cleanup())

  const config = (trace: Record<string, unknown> = {}) => ({
    ...defaultProjectConfig(),
    trace: { backend: 'auto' as const, ...trace },
  })
  const writeState = (pid: number) => {
    mkdirSync(homePaths.stack(home.path), { recursive: true })
    writeFileSync(
      embeddedStateFile(home.path),
      JSON.stringify({ pid, host: '127.0.0.1', port: 43210, startedAt: '', logFile: '' }),
    )
  }

  it('defaults to the embedded collector at the configured address', () => {
    expect(resolveBackend({ home: home.path, config: config() })).toEqual({
      kind: 'embedded',
      endpoint: 'http://127.0.0.1:4318',
      source: 'default',
    })
    expect(collectorUrl(home.path, config())).toBe('http://127.0.0.1:4318')
  })

  it('follows a live embedded stack, and ignores a dead one', () => {
    writeState(process.pid)
    expect(resolveBackend({ home: home.path, config: config() })).toMatchObject({
      kind: 'embedded',
      endpoint: 'http://127.0.0.1:43210',
      source: 'running stack',
    })
    writeState(2 ** 22 + 12345)
    expect(resolveBackend({ home: home.path, config: config() }).endpoint).toBe('http://127.0.0.1:4318')
  })

  it('follows the docker stack that stack up recorded to its Tempo and OTLP ports, until stack down forgets it', () => {
    const ports = (name: string, host: number) => ({ name, host, protocol: 'tcp' as const })
    const service = (name: string, p: ReturnType<typeof ports>[]) => ({
      name,
      runtime: 'docker' as const,
      state: 'running' as const,
      health: 'healthy' as const,
      ports: p,
      image: `${name}:test`,
      startedAt: null,
      uptimeSeconds: null,
    })
    const state = dockerStateOf(
      [
        service('tempo', [ports('tempo', 13200)]),
        service('otel-collector', [ports('otlp-grpc', 14317), ports('otlp-http', 14318)]),
      ],
      new Date(0),
    )
    expect(state).toEqual({
      tempo: 'http://127.0.0.1:13200',
      otlpHttp: 'http://127.0.0.1:14318',
      startedAt: '1970-01-01T00:00:00.000Z',
    })
    writeDockerState(home.path, state)
    expect(resolveBackend({ home: home.path, config: config() })).toEqual({
      kind: 'tempo',
      endpoint: 'http://127.0.0.1:13200',
      source: 'running stack',
    })
    expect(collectorUrl(home.path, config())).toBe('http://127.0.0.1:14318')
    // --backend embedded, and a live embedded collector, win over the docker stack's Tempo.
    expect(resolveBackend({ home: home.path, config: config(), backend: 'embedded' }).kind).toBe('embedded')
    writeState(process.pid)
    expect(resolveBackend({ home: home.path, config: config() })).toMatchObject({
      kind: 'embedded',
      endpoint: 'http://127.0.0.1:43210',
    })
    removeDockerState(home.path)
    writeState(2 ** 22 + 12345)
    expect(resolveBackend({ home: home.path, config: config() })).toMatchObject({
      kind: 'embedded',
      source: 'default',
    })
  })

  it("uses goblin.config.json trace settings, Tempo's default port, and flags over all", () => {
    expect(
      resolveBackend({
        home: home.path,
        config: config({ backend: 'tempo', endpoint: 'http://tempo:3200/' }),
      }),
    ).toEqual({
      kind: 'tempo',
      endpoint: 'http://tempo:3200',
      source: 'goblin.config.json',
    })
    expect(resolveBackend({ home: home.path, config: config(), backend: 'tempo' }).endpoint).toBe(
      'http://127.0.0.1:3200',
    )
    expect(
      resolveBackend({
        home: home.path,
        config: config(),
        backend: 'tempo',
        endpoint: 'http://127.0.0.1:9999',
      }),
    ).toEqual({ kind: 'tempo', endpoint: 'http://127.0.0.1:9999', source: 'flag' })
    expect(() => resolveBackend({ home: home.path, config: config(), endpoint: 'ftp://x' })).toThrow(
      /not an http/,
    )
  })
})

describe('trace ids and --attr', () => {
  it("accepts either case and Tempo's short ids", () => {
    expect(normalizeTraceId('5B8EFFF798038103D269B633813FC60C')).toBe('5b8efff798038103d269b633813fc60c')
    expect(normalizeTraceId('abc')).toBe(`${'0'.repeat(29)}abc`)
    expect(() => normalizeTraceId('xyz')).toThrow(/not a trace id/)
    expect(() => normalizeTraceId('0'.repeat(32))).toThrow(/not a trace id/)
  })

  it('parses key=value attributes', () => {
    expect(parseAttrFlags(['task.id=build-1', 'x=a=b'])).toEqual({ 'task.id': 'build-1', x: 'a=b' })
    expect(() => parseAttrFlags(['novalue'])).toThrow(/not key=value/)
  })
})
