import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SpanDetail } from '../../../src/trace/span-detail.js'
import type { TraceList } from '../../../src/trace/trace-queries.js'
import { parseJson, runGoblin, tempDir } from '../../helpers/cli.js'

// Browsing traces as a user does: `goblin stack up` (embedded), real OTLP/JSON posted to it, then trace ids by
// prefix and `latest`, one span in full, and the store file read after `goblin stack down`.
const home = tempDir('goblin-trace-browse-')
const env = { GOBLIN_HOME: home.path }
const goblin = (args: string[]) => runGoblin(args, { env, cwd: home.path })

// Two traces sharing the prefix abcdef01, a third apart; ids chosen so prefixes are known.
const A = 'abcdef01aaaaaaaaaaaaaaaaaaaaaaaa'
const B = 'abcdef01bbbbbbbbbbbbbbbbbbbbbbbb'
const C = '12345678cccccccccccccccccccccccc'
const nowNs = BigInt(Date.now()) * 1_000_000n
const kv = (key: string, value: string | number) => ({
  key,
  value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value },
})
function span(traceId: string, spanId: string, name: string, startOffsetMs: number, extra: object = {}) {
  const start = nowNs + BigInt(startOffsetMs) * 1_000_000n
  return {
    traceId,
    spanId,
    name,
    kind: 3,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + 5_000_000n),
    ...extra,
  }
}
const payload = {
  resourceSpans: [
    {
      resource: { attributes: [kv('service.name', 'shop'), kv('deployment.environment', 'test')] },
      scopeSpans: [
        {
          scope: { name: 'browse-test' },
          spans: [
            span(A, '1111111111111111', 'GET /a', 0),
            span(B, '2222222222222222', 'GET /b', 10),
            span(C, '3333333333333333', 'checkout', 20, {
              attributes: [kv('http.route', '/checkout'), kv('order.items', 3)],
              status: { code: 2, message: 'card declined' },
              events: [
                {
                  name: 'exception',
                  timeUnixNano: String(nowNs + 21_000_000n),
                  attributes: [kv('exception.type', 'CardDeclined')],
                },
              ],
            }),
            span(C, '3333aaaa00000001', 'charge', 21, {
              parentSpanId: '3333333333333333',
              links: [
                {
                  traceId: A,
                  spanId: '1111111111111111',
                  traceState: 'k=v',
                  attributes: [kv('link.why', 'retry of')],
                },
              ],
            }),
            span(C, '3333aaaa00000002', 'notify', 22, { parentSpanId: '3333333333333333' }),
          ],
        },
      ],
    },
  ],
}

describe('browsing traces (built CLI, embedded stack)', { timeout: 240_000 }, () => {
  let otlp = ''
  beforeAll(async () => {
    const up = await goblin(['stack', 'up', '--runtime', 'embedded', '--port', '0', '--json'])
    expect(up.exitCode, up.stderr).toBe(0)
    otlp = parseJson<{ env: { OTEL_EXPORTER_OTLP_ENDPOINT: string } }>(up).env.OTEL_EXPORTER_OTLP_ENDPOINT
    expect(otlp).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const res = await fetch(`${otlp}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    })
    expect(res.status).toBe(200)
  })
  afterAll(async () => {
    await goblin(['stack', 'down'])
    home.cleanup()
  })

  it('stack up ends with the export line to copy, naming the collector it started', async () => {
    const again = await goblin(['stack', 'up', '--runtime', 'embedded'])
    expect(again.exitCode).toBe(0)
    expect(again.stdout.trimEnd().split('\n').at(-1)).toBe(`export OTEL_EXPORTER_OTLP_ENDPOINT=${otlp}`)
  })

  it('trace show takes a unique prefix (either case) and latest; an ambiguous prefix is exit 2 naming both', async () => {
    const byPrefix = await goblin(['trace', 'show', '12345678', '--json'])
    expect(byPrefix.exitCode, byPrefix.stderr).toBe(0)
    const ids = (run: Awaited<ReturnType<typeof goblin>>) =>
      parseJson<{ resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ traceId: string }> }> }> }>(
        run,
      ).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.traceId)))
    expect(new Set(ids(byPrefix))).toEqual(new Set([C]))
    expect(new Set(ids(await goblin(['trace', 'show', 'ABCDEF01B', '--json'])))).toEqual(new Set([B]))
    // latest: the trace that started last (C's spans start 20 ms after A's and 10 ms after B's).
    expect(new Set(ids(await goblin(['trace', 'show', 'latest', '--json'])))).toEqual(new Set([C]))
    const ambiguous = await goblin(['trace', 'show', 'abcdef01', '--json'])
    expect(ambiguous.exitCode).toBe(2)
    const error = parseJson<{ error: { code: string; message: string } }>(ambiguous).error
    expect(error.code).toBe('TRACE_ID_AMBIGUOUS')
    expect(error.message).toContain(A)
    expect(error.message).toContain(B)
    const unknown = await goblin(['trace', 'show', 'fedcba98'])
    expect(unknown.exitCode).toBe(1)
    expect(unknown.stderr).toContain('not found')
    expect((await goblin(['trace', 'show', 'xyz'])).exitCode).toBe(2)
  })

  it('trace show --span prints one span in full: attributes, events, resource, parent and children', async () => {
    const human = await goblin(['trace', 'show', '1234', '--span', '3333333333333333'])
    expect(human.exitCode, human.stderr).toBe(0)
    expect(human.stdout).toMatch(/^checkout$/m)
    expect(human.stdout).toMatch(/^ {2}status +error: card declined$/m)
    expect(human.stdout).toMatch(/^ {2}children +2$/m)
    expect(human.stdout).toMatch(/^ {2}http\.route +\/checkout$/m)
    expect(human.stdout).toMatch(/exception\n {4}exception\.type +CardDeclined/)
    expect(human.stdout).toMatch(/^ {2}deployment\.environment +test$/m)
    const json = parseJson<SpanDetail>(
      await goblin(['trace', 'show', C, '--span', '3333aaaa00000001', '--json']),
    )
    expect(json).toMatchObject({ traceId: C, parentName: 'checkout', children: 0, llm: null })
    expect(json.span).toMatchObject({ name: 'charge', parentSpanId: '3333333333333333', serviceName: 'shop' })
    expect(json.span.links).toEqual([
      { traceId: A, spanId: '1111111111111111', traceState: 'k=v', attributes: { 'link.why': 'retry of' } },
    ])
    const linked = await goblin(['trace', 'show', C, '--span', '3333aaaa00000001'])
    expect(linked.stdout).toMatch(
      new RegExp(`^links \\(1\\)\n {2}${A}/1111111111111111 {2}tracestate k=v\n {4}link.why +retry of$`, 'm'),
    )
    const ambiguous = await goblin(['trace', 'show', C, '--span', '3333aaaa'])
    expect(ambiguous.exitCode).toBe(2)
    expect(ambiguous.stderr).toContain('3333aaaa00000001 (charge), 3333aaaa00000002 (notify)')
    const missing = await goblin(['trace', 'show', C, '--span', 'ffff'])
    expect(missing.exitCode).toBe(1)
    expect(missing.stderr).toContain('no span ffff in trace')
  })

  it('after stack down, trace list, show and tail read the store file directly', async () => {
    expect((await goblin(['stack', 'down'])).exitCode).toBe(0)
    const list = await goblin(['trace', 'list', '--json'])
    expect(list.exitCode, list.stderr).toBe(0)
    const listed = parseJson<TraceList>(list)
    expect(listed.backend.endpoint).toBe(`${home.path}/spans/spans.db`)
    expect(listed.backend.source).toBe('store file')
    const table = await goblin(['trace', 'list'])
    expect(table.stdout).toContain(
      `3 traces from the store file ${home.path}/spans/spans.db (the collector is not running)`,
    )
    expect(listed.traces.map((t) => t.traceID)).toEqual([C, B, A])
    expect(listed.traces[0]).toMatchObject({ spanCount: 3, errorCount: 1 })
    const show = await goblin(['trace', 'show', '1234'])
    expect(show.exitCode, show.stderr).toBe(0)
    expect(show.stdout).toContain(`trace ${C}`)
    const tail = await goblin(['trace', 'tail', '--for', '1s'])
    expect(tail.exitCode, tail.stderr).toBe(0)
    expect(tail.stderr).toContain(`following spans at ${home.path}/spans/spans.db`)
    // A named endpoint that does not answer is still exit 3: the store file stands in only for the local collector.
    expect((await goblin(['trace', 'list', '--endpoint', otlp])).exitCode).toBe(3)
  })
})
