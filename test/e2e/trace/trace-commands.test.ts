import { mkdirSync, writeFileSync } from 'node:fs'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { homePaths } from '../../../src/core/paths.js'
import { embeddedStateFile } from '../../../src/stack/embedded-state.js'
import { GOBLIN_BIN, parseJson, REPO_ROOT, runGoblin, tempDir } from '../../helpers/cli.js'
import { startTestCollector, type TestCollector } from '../../integration/collector/collector-fixture.js'

const NODE = process.execPath

// Each case starts several real Node processes: generous time, since CI machines may be busy.
describe('goblin trace', { timeout: 180_000 }, () => {
  let tc: TestCollector
  let home: ReturnType<typeof tempDir>
  let env: Record<string, string>
  beforeAll(async () => {
    tc = await startTestCollector()
    home = tempDir()
    env = { GOBLIN_HOME: home.path, OTEL_EXPORTER_OTLP_ENDPOINT: tc.collector.url }
  })
  afterAll(async () => {
    await tc.stop()
    home.cleanup()
  })

  it('trace exec nests across three real processes into one trace and passes the exit code through', async () => {
    const innermost = `console.log('inner sees', process.env.TRACEPARENT, process.env.BAGGAGE); process.exit(3)`
    const result = await runGoblin(
      [
        'trace',
        'exec',
        '--name',
        'outer',
        '--attr',
        'task.id=build-7',
        '--',
        NODE,
        GOBLIN_BIN,
        'trace',
        'exec',
        '--name',
        'middle',
        '--',
        NODE,
        GOBLIN_BIN,
        'trace',
        'exec',
        '--name',
        'inner',
        '--',
        NODE,
        '-e',
        innermost,
      ],
      { env },
    )
    expect(result.exitCode).toBe(3)
    const match = /inner sees 00-([0-9a-f]{32})-([0-9a-f]{16})-01 task.id=build-7/.exec(result.stdout)
    expect(match).not.toBeNull()
    const [, traceId, innerSpanId] = match as RegExpExecArray
    const spans = tc.collector.store.getTrace(traceId as string)
    const byName = Object.fromEntries(spans.map((s) => [s.name, s]))
    expect(Object.keys(byName).sort()).toEqual(['inner', 'middle', 'outer'])
    expect(byName.outer?.parentSpanId).toBeNull()
    expect(byName.middle?.parentSpanId).toBe(byName.outer?.spanId)
    expect(byName.inner?.parentSpanId).toBe(byName.middle?.spanId)
    expect(byName.inner?.spanId).toBe(innerSpanId)
    for (const span of spans) {
      expect(span.statusCode).toBe(2)
      expect(span.attributes['process.exit.code']).toBe(3)
      expect(span.attributes['task.id']).toBe('build-7')
      expect(span.serviceName).toBe('goblin')
    }
  })

  it("trace exec names the goblin and task in the command's OTEL_RESOURCE_ATTRIBUTES, for any OpenTelemetry SDK in it", async () => {
    const show = `console.log(process.env.OTEL_RESOURCE_ATTRIBUTES ?? '(unset)')`
    const exec = async (attrs: string[], resource?: string) => {
      const result = await runGoblin(
        ['trace', 'exec', ...attrs.flatMap((a) => ['--attr', a]), '--', NODE, '-e', show],
        {
          env: resource === undefined ? env : { ...env, OTEL_RESOURCE_ATTRIBUTES: resource },
        },
      )
      expect(result.exitCode).toBe(0)
      return result.stdout.trim()
    }
    // The user's own entries kept, an inherited goblin.id replaced by the flag's.
    expect(await exec(['goblin.id=writer', 'task.id=t-7'], 'team=core, goblin.id=old')).toBe(
      'team=core,goblin.id=writer,task.id=t-7',
    )
    // An id the variable cannot carry unencoded stays out of it (it still goes in the baggage).
    expect(await exec(['goblin.id=two words,x'])).toBe('(unset)')
    expect(await exec(['http.route=/x'], 'team=core')).toBe('team=core')
  })

  it('trace exec passes stdin through and exits 0 for a successful command', async () => {
    const result = await runGoblin(
      ['trace', 'exec', '--name', 'echo', '--', NODE, '-e', 'process.stdin.pipe(process.stdout)'],
      { env, input: 'piped text\n' },
    )
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toBe('piped text')
  })

  it('trace exec exits 127 for a command that does not exist, and still records it', async () => {
    const result = await runGoblin(['trace', 'exec', '--json', '--', 'no-such-command-goblin'], { env })
    expect(result.exitCode).toBe(127)
    expect(result.stderr).toMatch(/ENOENT/)
    const { traceId } = parseJson<{ traceId: string }>(result)
    expect(tc.collector.store.getTrace(traceId)[0]).toMatchObject({
      statusCode: 2,
      name: 'exec no-such-command-goblin',
    })
  })

  it('trace exec without a command is a usage error', async () => {
    const result = await runGoblin(['trace', 'exec', '--name', 'x'], { env })
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('no command to run')
  })

  it('trace list and show read the collector; show --json is OTLP/JSON; ids in either case', async () => {
    const exec = parseJson<{ traceId: string }>(
      await runGoblin(['trace', 'exec', '--json', '--name', 'listed', '--', NODE, '-e', '0'], { env }),
    )
    const list = parseJson<{ traces: Array<{ traceID: string; rootTraceName: string; spanCount: number }> }>(
      await runGoblin(['trace', 'list', '--endpoint', tc.collector.url, '--json', '--limit', '100'], { env }),
    )
    expect(list.traces.find((t) => t.traceID === exec.traceId)).toMatchObject({
      rootTraceName: 'listed',
      spanCount: 1,
    })

    const human = await runGoblin(
      ['trace', 'list', '--endpoint', tc.collector.url, '--service', 'goblin', '--since', '1h'],
      { env },
    )
    expect(human.exitCode).toBe(0)
    expect(human.stdout).toMatch(/TRACE ID\s+ROOT SPAN\s+SERVICE\s+START\s+DURATION\s+SPANS\s+ERRORS\s+COST/)
    expect(human.stdout).toContain(exec.traceId)

    const shown = await runGoblin(
      ['trace', 'show', exec.traceId.toUpperCase(), '--endpoint', tc.collector.url],
      { env },
    )
    expect(shown.exitCode).toBe(0)
    expect(shown.stdout).toMatch(new RegExp(`^trace ${exec.traceId}  1 span  0 errors`))
    expect(shown.stdout).toMatch(/\nlisted +█+ +[\d.]+m?s/)

    const json = parseJson<{
      resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ traceId: string }> }> }>
    }>(await runGoblin(['trace', 'show', exec.traceId, '--endpoint', tc.collector.url, '--json'], { env }))
    expect(json.resourceSpans[0]?.scopeSpans[0]?.spans[0]?.traceId).toBe(exec.traceId)
  })

  it('trace show of an unknown id exits 1; a malformed id exits 2', async () => {
    const unknown = await runGoblin(['trace', 'show', 'ab'.repeat(16), '--endpoint', tc.collector.url], {
      env,
    })
    expect(unknown.exitCode).toBe(1)
    expect(unknown.stderr).toContain(`trace ${'ab'.repeat(16)} not found at ${tc.collector.url}`)
    const bad = await runGoblin(['trace', 'show', 'not-an-id', '--endpoint', tc.collector.url], { env })
    expect(bad.exitCode).toBe(2)
  })

  it('an unreachable collector exits 3 naming the endpoint and goblin stack up', async () => {
    const result = await runGoblin(['trace', 'list', '--endpoint', 'http://127.0.0.1:9'], { env })
    expect(result.exitCode).toBe(3)
    expect(result.stderr).toContain('cannot reach the embedded trace backend at http://127.0.0.1:9')
    expect(result.stderr).toContain('goblin stack up')
    const json = await runGoblin(
      ['trace', 'show', 'ab'.repeat(16), '--endpoint', 'http://127.0.0.1:9', '--json'],
      { env },
    )
    expect(parseJson<{ error: { code: string; exit: number } }>(json).error).toMatchObject({
      code: 'TRACE_BACKEND_UNREACHABLE',
      exit: 3,
    })
  })

  it('follows the running embedded stack by default (GOBLIN_HOME/stack/embedded.json)', async () => {
    const stackHome = tempDir()
    try {
      mkdirSync(homePaths.stack(stackHome.path), { recursive: true })
      writeFileSync(
        embeddedStateFile(stackHome.path),
        JSON.stringify({
          pid: process.pid,
          host: '127.0.0.1',
          port: tc.collector.port,
          startedAt: '',
          logFile: '',
        }),
      )
      // No OTEL endpoint: exec exports to the running collector, list reads from it.
      const exec = parseJson<{ traceId: string; exported: boolean }>(
        await runGoblin(['trace', 'exec', '--json', '--name', 'via-stack', '--', NODE, '-e', '0'], {
          env: { GOBLIN_HOME: stackHome.path },
        }),
      )
      expect(exec.exported).toBe(true)
      const list = parseJson<{
        traces: Array<{ traceID: string }>
        backend: { endpoint: string; source: string }
      }>(
        await runGoblin(['trace', 'list', '--json', '--limit', '100'], {
          env: { GOBLIN_HOME: stackHome.path },
        }),
      )
      expect(list.backend).toMatchObject({ endpoint: tc.collector.url, source: 'running stack' })
      expect(list.traces.map((t) => t.traceID)).toContain(exec.traceId)
    } finally {
      stackHome.cleanup()
    }
  })

  it('trace tail prints spans as they arrive (JSON lines)', async () => {
    const tail = execa(
      NODE,
      [GOBLIN_BIN, 'trace', 'tail', '--endpoint', tc.collector.url, '--json', '--max', '1', '--for', '50s'],
      {
        cwd: REPO_ROOT,
        env: { ...env, NO_COLOR: '1', CI: 'true' },
        reject: false,
      },
    )
    await new Promise<void>((resolve) => {
      tail.stderr?.on('data', (d: Buffer) => {
        if (d.toString().includes('following spans')) resolve()
      })
    })
    // "following spans" is printed once the tail has its starting cursor: what is stored next is shown.
    await runGoblin(['trace', 'exec', '--name', 'tailed', '--', NODE, '-e', '0'], { env })
    const result = await tail
    expect(result.exitCode).toBe(0)
    const lines = result.stdout.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0] as string)).toMatchObject({ name: 'tailed', serviceName: 'goblin' })
  })

  it('goblin traces its own commands when OTEL_EXPORTER_OTLP_ENDPOINT is set (child of TRACEPARENT)', async () => {
    const parent = '00-11112222333344445555666677778888-1111222233334444-01'
    const ok = await runGoblin(['doctor', '--only', 'node', '--json'], {
      env: { ...env, TRACEPARENT: parent },
    })
    expect(ok.exitCode).toBe(0)
    const bad = await runGoblin(['trace', 'show', 'not-an-id', '--endpoint', tc.collector.url], {
      env: { ...env, TRACEPARENT: parent },
    })
    expect(bad.exitCode).toBe(2)
    const spans = tc.collector.store.getTrace('11112222333344445555666677778888')
    const byName = Object.fromEntries(spans.map((s) => [s.name, s]))
    expect(byName['goblin doctor']).toMatchObject({
      parentSpanId: '1111222233334444',
      statusCode: 0,
      attributes: { 'goblin.command': 'doctor', 'process.exit.code': 0 },
    })
    expect(byName['goblin trace show']).toMatchObject({
      statusCode: 2,
      attributes: { 'process.exit.code': 2 },
    })
  })
})
