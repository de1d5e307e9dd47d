import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseJson, REPO_ROOT, runGoblin, tempDir } from '../../helpers/cli.js'
import { startTestCollector, type TestCollector } from '../../integration/collector/collector-fixture.js'

// A service instrumented with initTracing and no endpoint of its own, as most are.
const SERVICE = join(REPO_ROOT, 'test/integration/telemetry/traced-service.mjs')

describe('trace exec tells the command where the collector is', { timeout: 120_000 }, () => {
  let tc: TestCollector
  const home = tempDir('goblin-exec-endpoint-')
  const project = tempDir('goblin-exec-project-')
  beforeAll(async () => {
    tc = await startTestCollector()
    // The collector listens on a port of its own, not 4318: goblin knows it from the project's config.
    writeFileSync(
      join(project.path, 'goblin.config.json'),
      JSON.stringify({ collector: { port: Number(new URL(tc.collector.url).port) } }),
    )
  })
  afterAll(async () => {
    await tc.stop()
    home.cleanup()
    project.cleanup()
  })

  const exec = (env: Record<string, string | undefined>) =>
    runGoblin(['trace', 'exec', '--json', '--', process.execPath, SERVICE], {
      cwd: project.path,
      env: {
        GOBLIN_HOME: home.path,
        OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
        ...env,
      },
    })

  it("the command's SDK exports to the collector goblin resolved, inside goblin's trace", async () => {
    const run = await exec({})
    expect(run.exitCode, run.stderr).toBe(0)
    const { traceId, spanId, exported } = parseJson<{ traceId: string; spanId: string; exported: boolean }>(
      run,
    )
    expect(exported).toBe(true)
    const spans = tc.collector.store.getTrace(traceId)
    const request = spans.find((s) => s.name === 'handle request')
    // Before, the child exported to localhost:4318 and these spans were lost.
    expect(request?.parentSpanId).toBe(spanId)
    expect(request?.serviceName).toBe('traced-service')
    expect(spans.map((s) => s.name).sort()).toEqual([
      'chat gpt-4o-mini',
      `exec ${process.execPath.split('/').at(-1)}`,
      'handle request',
    ])
  })

  it('an endpoint the user set wins, for goblin and for the command', async () => {
    // The config now names a port where nothing listens: only the user's endpoint can deliver the spans.
    writeFileSync(join(project.path, 'goblin.config.json'), JSON.stringify({ collector: { port: 9 } }))
    const run = await exec({ OTEL_EXPORTER_OTLP_ENDPOINT: tc.collector.url })
    expect(run.exitCode, run.stderr).toBe(0)
    const { traceId } = parseJson<{ traceId: string }>(run)
    expect(tc.collector.store.getTrace(traceId).map((s) => s.name)).toContain('handle request')
  })
})
