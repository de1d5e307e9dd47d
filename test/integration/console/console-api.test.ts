import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { consoleRoutes } from '../../../src/console/console-api.js'
import { loadConsoleAssets } from '../../../src/console/console-assets.js'
import { homePaths } from '../../../src/core/paths.js'
import { tempDir } from '../../helpers/cli.js'
import { requestWithHost } from '../../helpers/loopback.js'
import { startTestCollector, type TestCollector } from '../collector/collector-fixture.js'

// The console's read endpoints in a real collector on 127.0.0.1: what they refuse and why. What they
// answer for real data (and the page built by npm run build) is test/e2e/console's.
const home = tempDir()
const built = join(home.path, 'built')
const A = `abcd${'0'.repeat(27)}1`
const B = `abcd${'0'.repeat(27)}2`
const C = `abce${'0'.repeat(27)}3`
let tc: TestCollector
let unbuilt: TestCollector
let url = ''

const get = async (path: string) => {
  const res = await fetch(`${url}${path}`, { redirect: 'manual' })
  const text = await res.text()
  return {
    status: res.status,
    headers: res.headers,
    text,
    body: text.startsWith('{') ? JSON.parse(text) : null,
  }
}

function span(traceId: string, spanId: string) {
  return {
    traceId,
    spanId,
    name: 'job',
    kind: 1,
    startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
    endTimeUnixNano: String(BigInt(Date.now() + 5) * 1_000_000n),
    attributes: [],
  }
}

beforeAll(async () => {
  mkdirSync(built)
  writeFileSync(join(built, 'index.html'), '<!doctype html><title>goblin console</title>')
  writeFileSync(join(built, 'app.js'), 'export {}')
  writeFileSync(join(built, 'notes.txt'), 'not an asset type')
  const options = { home: home.path, ledgerDir: join(home.path, 'audit'), keysDir: join(home.path, 'keys') }
  tc = await startTestCollector({
    dir: homePaths.spans(home.path),
    readRoutes: consoleRoutes({ ...options, assets: loadConsoleAssets(built) }),
  })
  unbuilt = await startTestCollector({
    readRoutes: consoleRoutes({ ...options, assets: loadConsoleAssets(join(home.path, 'nothing')) }),
  })
  url = tc.collector.url
  const body = JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scopeSpans: [
          { spans: [span(A, '00000000000000a1'), span(B, '00000000000000b1'), span(C, '00000000000000c1')] },
        ],
      },
    ],
  })
  const posted = await fetch(`${url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  })
  expect(posted.status).toBe(200)
  for (let i = 0; i < 50 && (await get(`/api/traces/${C}`)).status !== 200; i++)
    await new Promise((r) => setTimeout(r, 50))
})

afterAll(async () => {
  await tc.stop()
  await unbuilt.stop()
  home.cleanup()
})

describe('the console routes', () => {
  it('serve only the built files, with the page policy, and redirect /console', async () => {
    const page = await get('/console/')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect((await get('/console/app.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect((await get('/console/notes.txt')).status).toBe(404)
    expect((await get('/console/%2e%2e%2fpackage.json')).status).toBe(404)
    expect((await get('/console/../package.json')).status).toBe(404)
    const redirect = await get('/console')
    expect(redirect.status).toBe(308)
    expect(redirect.headers.get('location')).toBe('/console/')
  })

  it('say how to build the page when it is not built', async () => {
    const res = await fetch(`${unbuilt.collector.url}/console/`)
    expect(res.status).toBe(404)
    expect(await res.text()).toMatch(/^the console is not built \(no .*nothing\): run npm run build\n$/)
  })

  it('answer GET and HEAD only', async () => {
    for (const path of ['/console/', '/api/goblin/cost/check', '/api/goblin/audit/summary']) {
      const res = await fetch(`${url}${path}`, { method: 'POST', body: '{}' })
      expect(res.status, path).toBe(405)
      expect(res.headers.get('allow')).toBe('GET')
    }
    expect((await fetch(`${url}/console/`, { method: 'HEAD' })).status).toBe(200)
  })

  it('refuse a Host that is not a loopback name', async () => {
    const answer = await requestWithHost(url, '/api/goblin/audit/summary', 'console.attacker.example')
    expect(answer.status).toBe(403)
  })

  it('resolve a trace by a unique prefix, name the candidates of an ambiguous one, refuse a bad one', async () => {
    const full = await get(`/api/goblin/traces/${A}/waterfall`)
    expect(full.status).toBe(200)
    expect(full.body).toMatchObject({ traceId: A, spanCount: 1, costUsd: 0 })
    expect((await get('/api/goblin/traces/abce/waterfall')).body.traceId).toBe(C)
    // The three spans started within the same millisecond or two: latest is whichever started last.
    const latest = (await get('/api/goblin/traces/latest/waterfall')).body.traceId
    const [newest] = (await get('/api/search?limit=1')).body.traces
    expect(latest).toBe(newest.traceID)
    const ambiguous = await get('/api/goblin/traces/ABCD/waterfall')
    expect(ambiguous.status).toBe(409)
    expect(ambiguous.body).toMatchObject({ code: 'TRACE_ID_AMBIGUOUS', candidates: [A, B] })
    const unknown = await get('/api/goblin/traces/ffff/waterfall')
    expect(unknown.status).toBe(404)
    expect(unknown.body).toEqual({ code: 'TRACE_NOT_FOUND', error: 'no stored trace id starts with ffff' })
    for (const bad of ['abc', 'xyz1', '%E0%A4%A', `${A}0`]) {
      const answer = await get(`/api/goblin/traces/${bad}/waterfall`)
      expect(answer.status, bad).toBe(400)
      expect(answer.body.code).toBe('BAD_TRACE_ID')
    }
  })

  it('pass the cost commands their usage errors as 400 with the same message', async () => {
    const group = await get('/api/goblin/cost/report?by=colour')
    expect(group.status).toBe(400)
    expect(group.body).toMatchObject({ code: 'COST_BAD_GROUP', error: '--by colour: not a group key' })
    const range = await get('/api/goblin/cost/report?since=1h&until=2h')
    expect(range.status).toBe(400)
    expect(range.body.code).toBe('COST_BAD_RANGE')
    const report = await get('/api/goblin/cost/report?by=hour')
    expect(report.status).toBe(200)
    expect(report.body).toMatchObject({ by: ['hour'], rows: [], total: { usd: 0 } })
  })

  it('answer an empty ledger as such, and refuse bad limits and indexes', async () => {
    const summary = await get('/api/goblin/audit/summary')
    expect(summary.status).toBe(200)
    expect(summary.body).toMatchObject({ entries: 0, checkpoints: [], keys: [] })
    expect(summary.body.verification.code).toBe('AUDIT_NO_LEDGER')
    expect((await get('/api/goblin/audit/entries')).body).toEqual({ size: 0, matched: 0, entries: [] })
    expect((await get('/api/goblin/audit/proofs?index=0,3')).body).toEqual({
      checkpoint: null,
      proofs: [null, null],
    })
    for (const limit of ['0', '-1', '1.5', 'ten', '10001'])
      expect((await get(`/api/goblin/audit/entries?limit=${limit}`)).status, limit).toBe(400)
    for (const index of [
      '',
      '-1',
      '01',
      '1e3',
      'x',
      '1,,2',
      '12345678901234567',
      Array(1_001).fill(0).join(','),
    ])
      expect((await get(`/api/goblin/audit/proofs?index=${index}`)).status, index.slice(0, 20)).toBe(400)
  })
})
