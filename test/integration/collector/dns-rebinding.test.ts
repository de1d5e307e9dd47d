import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hostAllowed } from '../../../src/collector/host-policy.js'
import { requestWithHost as get } from '../../helpers/loopback.js'
import { startTestCollector, type TestCollector } from './collector-fixture.js'

describe('a collector bound to 127.0.0.1 under DNS rebinding', () => {
  let tc: TestCollector
  beforeAll(async () => {
    tc = await startTestCollector()
  })
  afterAll(() => tc.stop())

  it('refuses Host: attacker.example on the query API, the receiver and /metrics', async () => {
    for (const path of ['/api/search', '/api/goblin/spans', '/metrics', '/health']) {
      const res = await get(tc.collector.url, path, 'attacker.example')
      expect(res.status, path).toBe(403)
      expect(JSON.parse(res.body).error).toMatch(/"attacker.example" is not a loopback name/)
    }
    const rebound = await get(tc.collector.url, '/api/search', `attacker.example:${tc.collector.port}`)
    expect(rebound.status).toBe(403)
  })

  it('answers the loopback names a local client uses', async () => {
    const port = tc.collector.port
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      'LOCALHOST',
      `app.localhost:${port}`,
      `[::1]:${port}`,
    ]) {
      expect((await get(tc.collector.url, '/api/search', host)).status, host).toBe(200)
    }
  })
})

describe('the Host policy', () => {
  it('serves any name when the operator bound a non-loopback address on purpose', () => {
    expect(hostAllowed('collector.internal:4318', '0.0.0.0')).toBe(true)
    expect(hostAllowed('collector.internal', '::')).toBe(true)
    expect(hostAllowed('collector.internal', '192.168.1.20')).toBe(true)
  })

  it('binds loopback in all its spellings', () => {
    expect(hostAllowed('evil.test', '::1')).toBe(false)
    expect(hostAllowed('evil.test', '::ffff:127.0.0.1')).toBe(false)
    expect(hostAllowed('127.0.0.2:80', '127.0.0.1')).toBe(true)
    expect(hostAllowed('127.evil.test', '127.0.0.1')).toBe(false)
    expect(hostAllowed('localhost.evil.test', '127.0.0.1')).toBe(false)
  })
})
