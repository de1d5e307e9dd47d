import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Config } from '@oclif/core'
import { afterEach, describe, expect, it } from 'vitest'
import auditEvent from '../src/hooks/audit-event.js'
import costPrices from '../src/hooks/cost-prices.js'
import doctorChecks from '../src/hooks/doctor-checks.js'
import stackServices from '../src/hooks/stack-services.js'

// What oclif passes every hook besides the hook's own options; these hooks use neither.
const oclif = { config: {} as Config, context: {} as Parameters<typeof doctorChecks>[0]['context'] }
const self = {} as ThisParameterType<typeof doctorChecks>

describe('goblin:doctor-checks', () => {
  it('warns, with a fix, when the API key is not set', async () => {
    const answer = await doctorChecks.call(self, { env: {}, ...oclif })
    expect(answer.apiVersion).toBe(1)
    expect(answer.checks).toEqual([
      expect.objectContaining({ id: '__PLUGIN_TOPIC__:api-key', status: 'warn', fix: expect.any(String) }),
    ])
  })

  it('is ok when the API key is set', async () => {
    const answer = await doctorChecks.call(self, { env: { __PLUGIN_ENV___API_KEY: 'k' }, ...oclif })
    expect(answer.checks[0]?.status).toBe('ok')
  })
})

describe('goblin:stack-services', () => {
  it('adds one service with a valid name and a port mapping', async () => {
    const answer = await stackServices.call(self, { stage: 'dev', ...oclif })
    expect(answer.apiVersion).toBe(1)
    expect(answer.services).toHaveLength(1)
    const [service] = answer.services
    expect(service?.name).toMatch(/^[a-z][a-z0-9-]*$/)
    expect(service?.ports?.[0]).toEqual({ container: 5678, host: 5678 })
    expect(service?.command?.[0]).toContain('(dev)')
  })
})

describe('goblin:cost-prices', () => {
  it('names its source and prices per token', async () => {
    const answer = await costPrices.call(self, { ...oclif })
    expect(answer.source).toBe('__PLUGIN_PACKAGE__')
    for (const price of answer.prices) {
      expect(price.inputPerToken).toBeGreaterThanOrEqual(0)
      expect(price.outputPerToken).toBeGreaterThanOrEqual(0)
    }
  })
})

describe('goblin:audit-event', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plugin-audit-'))
  afterEach(() => {
    delete process.env.__PLUGIN_ENV___AUDIT_FILE
  })

  it('forwards one line per appended entry to the configured file', async () => {
    const file = join(dir, 'forwarded.jsonl')
    process.env.__PLUGIN_ENV___AUDIT_FILE = file
    const entries = [
      { seq: 0, leafHash: 'aa', envelope: { action: 'deploy' } },
      { seq: 1, leafHash: 'bb', envelope: { action: 'rollback' } },
    ]
    await auditEvent.call(self, { entries, ...oclif })
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(lines).toEqual([
      { seq: 0, leafHash: 'aa', action: 'deploy' },
      { seq: 1, leafHash: 'bb', action: 'rollback' },
    ])
    rmSync(dir, { recursive: true, force: true })
  })
})
