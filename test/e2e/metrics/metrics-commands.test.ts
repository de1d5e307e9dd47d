import { readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { homePaths } from '../../../src/core/paths.js'
import type { MetricList, ShownMetric } from '../../../src/metrics/metric-queries.js'
import { GOBLIN_BIN, parseJson, REPO_ROOT, runGoblin, tempDir } from '../../helpers/cli.js'
import { closeServer, listenOnLoopback } from '../../helpers/loopback.js'
import { startTestCollector, type TestCollector } from '../../integration/collector/collector-fixture.js'

const recorded = (name: string) => readFileSync(join(REPO_ROOT, 'test/fixtures/agents', name), 'utf8')

/** A delta counter `name` with one point `value` at `msAgo` milliseconds before now. */
function recentCounter(name: string, points: Array<{ msAgo: number; value: number }>): string {
  const nowNs = BigInt(Date.now()) * 1_000_000n
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'e2e' } }] },
        scopeMetrics: [
          {
            metrics: [
              {
                name,
                unit: '1',
                sum: {
                  aggregationTemporality: 1,
                  isMonotonic: true,
                  dataPoints: points.map((p) => {
                    const time = nowNs - BigInt(p.msAgo) * 1_000_000n
                    return {
                      startTimeUnixNano: String(time - 1_000_000_000n),
                      timeUnixNano: String(time),
                      asInt: p.value,
                    }
                  }),
                },
              },
            ],
          },
        ],
      },
    ],
  })
}

/** Runs the built CLI as a user would, the metrics it reads sent by the agents' recorded telemetry. */
describe('goblin metrics', { timeout: 120_000 }, () => {
  let home: ReturnType<typeof tempDir>
  let tc: TestCollector
  let env: Record<string, string>
  const send = async (body: string) => {
    const res = await fetch(`${tc.collector.url}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
    expect(res.status).toBe(200)
  }

  beforeAll(async () => {
    home = tempDir()
    // The collector keeps its store where the CLI's GOBLIN_HOME says, so the store-file fallback can be tested.
    tc = await startTestCollector({ dir: homePaths.spans(home.path) })
    env = { GOBLIN_HOME: home.path }
    await send(recorded('claude-code-2.1.332-tool-accept-metrics.json'))
    await send(recorded('gemini-cli-0.61.0-tool-accept-metrics.json'))
    await send(
      recentCounter('e2e.jobs', [
        { msAgo: 3 * 86_400_000, value: 100 },
        { msAgo: 60_000, value: 7 },
      ]),
    )
  })
  afterAll(async () => {
    await tc.collector.close()
    home.cleanup()
  })

  it('metrics list prints a table of the stored metrics and where they came from', async () => {
    const run = await runGoblin(
      ['metrics', 'list', '--name', 'claude_code.*', '--endpoint', tc.collector.url],
      { env },
    )
    expect(run.exitCode).toBe(0)
    const lines = run.stdout.trim().split('\n')
    expect(lines[0]).toMatch(
      /^NAME\s+TYPE\s+TEMPORALITY\s+UNIT\s+SERIES\s+POINTS\s+LAST POINT\s+DESCRIPTION$/,
    )
    expect(lines.find((l) => l.startsWith('claude_code.cost.usage'))).toMatch(
      /^claude_code\.cost\.usage\s+counter\s+delta\s+USD\s+1\s+1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+Cost of the Claude Code session$/,
    )
    expect(lines.find((l) => l.startsWith('claude_code.token.usage'))).toMatch(/\s+tokens\s+4\s+4\s/)
    expect(lines.at(-1)).toBe(`4 metrics from ${tc.collector.url}`)
    expect(run.stdout).not.toContain('gemini_cli')
  })

  it('metrics list --json is one document: source, window and the metrics', async () => {
    const run = await runGoblin(
      ['metrics', 'list', '--name', 'gemini_cli.*', '--endpoint', tc.collector.url, '--json'],
      {
        env,
      },
    )
    expect(run.exitCode).toBe(0)
    const list = parseJson<MetricList>(run)
    expect(list.source).toEqual({ kind: 'collector', endpoint: tc.collector.url })
    expect(list.window).toEqual({ since: null, until: null })
    expect(list.metrics.map((m) => [m.name, m.kind, m.temporalities])).toContainEqual([
      'gemini_cli.api.request.latency',
      'histogram',
      ['cumulative'],
    ])
    expect(list.metrics.every((m) => m.name.startsWith('gemini_cli.'))).toBe(true)
  })

  it("metrics show --by groups a counter by attributes and prints each group's increase", async () => {
    const run = await runGoblin(
      ['metrics', 'show', 'claude_code.token.usage', '--by', 'type,model', '--endpoint', tc.collector.url],
      { env },
    )
    expect(run.exitCode).toBe(0)
    const lines = run.stdout.trim().split('\n')
    expect(lines[0]).toBe('claude_code.token.usage  counter, tokens, delta')
    expect(lines[1]).toMatch(/^TYPE\s+MODEL\s+INCREASE\s+SERIES\s+POINTS$/)
    // Two API calls of the fake server's usage (test/fixtures/agents/README.md), largest first.
    expect(lines.slice(2, 6).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
      ['cacheRead', 'claude-sonnet-4-5', '400'],
      ['input', 'claude-sonnet-4-5', '200'],
      ['cacheCreation', 'claude-sonnet-4-5', '100'],
      ['output', 'claude-sonnet-4-5', '40'],
    ])
    expect(lines.at(-1)).toBe(`4 groups from ${tc.collector.url}`)
  })

  it('metrics show --json gives the cost by session and the resource goblin.id, and a histogram its count', async () => {
    const cost = await runGoblin(
      [
        'metrics',
        'show',
        'claude_code.cost.usage',
        '--by',
        'session.id',
        '--by',
        'goblin.id',
        '--endpoint',
        tc.collector.url,
        '--json',
      ],
      { env },
    )
    expect(cost.exitCode).toBe(0)
    const shown = parseJson<ShownMetric>(cost)
    expect(shown.by).toEqual(['session.id', 'goblin.id'])
    expect(shown.metric.groups).toEqual([
      expect.objectContaining({
        attributes: { 'session.id': 'ff21bf51-7bdb-4f65-be29-9287e08842c2', 'goblin.id': 'fixture-goblin' },
        increase: 0.0017850000000000001,
      }),
    ])
    const latency = await runGoblin(
      ['metrics', 'show', 'gemini_cli.api.request.latency', '--endpoint', tc.collector.url],
      { env },
    )
    expect(latency.exitCode).toBe(0)
    expect(latency.stdout).toMatch(/^ATTRIBUTES\s+COUNT\s+SUM\s+MEAN\s+SERIES\s+POINTS$/m)
    expect(latency.stdout).toMatch(
      /session\.id=4c036a30-3cec-4dde-9019-51b224f5fd74 .*\s2\s+\d+\s+\d+\s+1\s+1$/m,
    )
  })

  it('--since leaves out points before it', async () => {
    const all = parseJson<ShownMetric>(
      await runGoblin(['metrics', 'show', 'e2e.jobs', '--endpoint', tc.collector.url, '--json'], { env }),
    )
    expect(all.metric.groups[0]?.increase).toBe(107)
    const day = await runGoblin(
      ['metrics', 'show', 'e2e.jobs', '--since', '1d', '--endpoint', tc.collector.url, '--json'],
      {
        env,
      },
    )
    const recent = parseJson<ShownMetric>(day)
    expect(recent.metric.groups[0]).toMatchObject({ increase: 7, points: 1 })
    expect(Date.parse(recent.window.until as string) - Date.parse(recent.window.since as string)).toBe(
      86_400_000,
    )
  })

  it('an unknown metric is exit 1, a bad --since exit 2, a bad --endpoint exit 2', async () => {
    const unknown = await runGoblin(
      ['metrics', 'show', 'no.such.metric', '--endpoint', tc.collector.url, '--json'],
      { env },
    )
    expect(unknown.exitCode).toBe(1)
    expect(parseJson<{ error: { code: string; message: string } }>(unknown).error).toMatchObject({
      code: 'METRIC_NOT_FOUND',
      message: 'no metric named "no.such.metric" is stored',
    })
    const since = await runGoblin(
      ['metrics', 'list', '--since', 'last tuesday', '--endpoint', tc.collector.url],
      { env },
    )
    expect(since.exitCode).toBe(2)
    expect(since.stderr).toMatch(/--since "last tuesday": not a duration/)
    expect(since.stdout).toBe('')
    // Checked before anything connects: the collector named here is not even asked.
    const glob = await runGoblin(
      ['metrics', 'list', '--name', 'x'.repeat(300), '--endpoint', 'http://127.0.0.1:9/'],
      {
        env,
      },
    )
    expect(glob.exitCode).toBe(2)
    expect(glob.stderr).toMatch(/name must be 1 to 255 characters, got 300/)
    const endpoint = await runGoblin(['metrics', 'list', '--endpoint', 'ftp://127.0.0.1/'], { env })
    expect(endpoint.exitCode).toBe(2)
    expect(endpoint.stderr).toMatch(/--endpoint: "ftp:\/\/127.0.0.1\/" is not an http\(s\) URL/)
  })

  it('with the collector down: --endpoint is exit 3; without it, the store file under GOBLIN_HOME is read', async () => {
    const server = createServer()
    const closed = await listenOnLoopback(server)
    await closeServer(server)
    const down = await runGoblin(['metrics', 'list', '--endpoint', closed, '--json'], { env })
    expect(down.exitCode).toBe(3)
    expect(parseJson<{ error: { code: string } }>(down).error.code).toBe('COLLECTOR_UNREACHABLE')

    // The configured collector address is that closed port; the store file is there: it is read directly.
    const project = tempDir()
    try {
      writeFileSync(
        join(project.path, 'goblin.config.json'),
        JSON.stringify({ collector: { port: Number(new URL(closed).port) } }),
      )
      const run = await runGoblin(['metrics', 'show', 'claude_code.cost.usage', '--by', 'model', '--json'], {
        env,
        cwd: project.path,
      })
      expect(run.exitCode).toBe(0)
      const shown = parseJson<ShownMetric>(run)
      expect(shown.source).toEqual({ kind: 'store', path: join(homePaths.spans(home.path), 'spans.db') })
      expect(shown.metric.groups[0]).toMatchObject({
        attributes: { model: 'claude-sonnet-4-5' },
        increase: 0.0017850000000000001,
      })
      const human = await runGoblin(['metrics', 'list', '--name', 'e2e.*'], { env, cwd: project.path })
      expect(human.stdout.trim().split('\n').at(-1)).toBe(
        `1 metric from ${join(homePaths.spans(home.path), 'spans.db')} (collector not running)`,
      )
    } finally {
      project.cleanup()
    }
  })
})

describe('goblin collector serve, for metrics', { timeout: 120_000 }, () => {
  it('loses no acknowledged point when killed with SIGKILL', async () => {
    const home = tempDir()
    const project = tempDir()
    const child = execa(process.execPath, [GOBLIN_BIN, 'collector', 'serve', '--port', '0', '--json'], {
      env: { GOBLIN_HOME: home.path, NO_COLOR: '1', CI: 'true' },
      reject: false,
    })
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let buffer = ''
        child.stdout?.on('data', (d: Buffer) => {
          buffer += d.toString()
          const nl = buffer.indexOf('\n')
          if (nl !== -1) resolve((JSON.parse(buffer.slice(0, nl)) as { url: string }).url)
        })
        child.on('exit', (code) => reject(new Error(`collector exited ${code} before listening`)))
      })
      // Ten requests at once (one group commit or several), each of 50 points a minute apart.
      const statuses = await Promise.all(
        Array.from({ length: 10 }, (_, r) =>
          fetch(`${url}/v1/metrics`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: recentCounter(
              'e2e.crash.jobs',
              Array.from({ length: 50 }, (_, i) => ({ msAgo: (r * 50 + i + 1) * 60_000, value: 1 })),
            ),
          }).then((res) => res.status),
        ),
      )
      expect(statuses).toEqual(Array.from({ length: 10 }, () => 200))
      child.kill('SIGKILL')
      await child
      // Nothing listens any more: the store file is read, and holds every acknowledged point.
      const server = createServer()
      const closed = await listenOnLoopback(server)
      await closeServer(server)
      writeFileSync(
        join(project.path, 'goblin.config.json'),
        JSON.stringify({ collector: { port: Number(new URL(closed).port) } }),
      )
      const run = await runGoblin(['metrics', 'show', 'e2e.crash.jobs', '--json'], {
        env: { GOBLIN_HOME: home.path },
        cwd: project.path,
      })
      expect(run.exitCode).toBe(0)
      const shown = parseJson<ShownMetric>(run)
      expect(shown.source.kind).toBe('store')
      expect(shown.metric.groups[0]).toMatchObject({ increase: 500, points: 500 })
    } finally {
      child.kill('SIGKILL')
      home.cleanup()
      project.cleanup()
    }
  })
})
