import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKey, loadSigner, privateKeyPath } from '../../../src/audit/keyring.js'
import { parseVerifierKey } from '../../../src/audit/signed-note.js'
import { createAuditAggregator } from '../../../src/collector/audit-aggregator.js'
import { type RunningCollector, startCollector } from '../../../src/collector/collector.js'
import { CollectorMetrics } from '../../../src/collector/metrics.js'
import type { Budget } from '../../../src/core/config-schema.js'
import type { SpendReader } from '../../../src/cost/budget-check.js'
import { validatePolicies } from '../../../src/policy/validate.js'
import { auditEmitter, costGuard, guard, initTracing, type Tracing } from '../../../src/telemetry/index.js'
import { tempDir } from '../../helpers/cli.js'

/**
 * The SDK guard end to end, in process: real Cedar, goblin's own tracing SDK exporting to a real embedded
 * collector on 127.0.0.1 (which counts the decisions in /metrics), and auditEmitter signing each decision
 * into the collector's ledger. Spend is read through the SpendReader seam (a fixed figure, named so):
 * the embedded store's reader is tested with cost check.
 */

const home = tempDir()
const project = join(home.path, 'project')
const ledgerDir = join(home.path, 'audit')
let collector: RunningCollector
let tracing: Tracing

const POLICIES = `@id("researcher-tools")
permit(principal == Goblin::"researcher", action == Action::"tool.call", resource)
when { resource in [Tool::"search", Tool::"fetch"] };

@id("models")
permit(principal, action == Action::"llm.call", resource);

@id("opus-ceiling")
@reason("researcher may not call an opus model once 80% of its daily envelope is spent")
forbid(principal == Goblin::"researcher", action == Action::"llm.call", resource)
when { resource.name like "*opus*" && context.cost.goblin has day && context.cost.goblin.day.used_percent >= 80 };
`

beforeAll(async () => {
  mkdirSync(join(project, 'policies'), { recursive: true })
  writeFileSync(join(project, 'goblin.config.json'), '{}')
  writeFileSync(join(project, 'policies', 'researcher.cedar'), POLICIES)
  await generateKey(join(home.path, 'keys'), 'ledger')
  const service = await generateKey(join(home.path, 'service-keys'), 'researcher')
  const metrics = new CollectorMetrics()
  collector = await startCollector({
    host: '127.0.0.1',
    port: 0,
    dir: join(home.path, 'spans'),
    version: 'test',
    metrics,
    audit: createAuditAggregator({
      ledgerDir,
      signer: loadSigner(join(home.path, 'keys'), 'ledger').signer,
      trusted: [{ verifier: parseVerifierKey(service.record.vkey), record: null }],
      metrics,
    }),
  })
  tracing = initTracing({
    serviceName: 'researcher',
    endpoint: collector.url,
    sampleRatio: 1,
    handleExit: false,
  })
})
afterAll(async () => {
  await tracing?.shutdown()
  await collector?.close()
  home.cleanup()
})

const budgets: Budget[] = [{ goblin: 'researcher', period: 'day', usd: 10, warn_at: 0.8 }]
/** Stand-in spend (the seam): $8.50 of the $10 daily envelope. */
const spend: SpendReader = async () => ({ usd: 8.5, unknownModelCalls: 0 })

describe('guard()', { timeout: 60_000 }, () => {
  it('decides, records on the active span, signs into the log, and the collector counts it', async () => {
    const audit = auditEmitter({
      goblinId: 'researcher',
      keyFile: privateKeyPath(join(home.path, 'service-keys'), 'researcher'),
      endpoint: collector.url,
    })
    // The worked policies validate against goblin's schema (context.cost, resource.name).
    expect((await validatePolicies(project)).errors).toEqual([])
    const ask = (request: Parameters<typeof guard>[0]) =>
      guard({ cwd: project, budgets, spend, audit, ...request })
    const { traceId, answers } = await tracing.tracer.startActiveSpan('research task', async (span) => {
      const answers = [
        await ask({
          goblinId: 'researcher',
          action: 'tool.call',
          resource: 'search',
          context: { input: { query: 'cedar' } },
        }),
        await ask({
          goblinId: 'researcher',
          action: 'tool.call',
          resource: 'Bash',
          context: { input: { command: 'ls' } },
        }),
        await ask({
          goblinId: 'researcher',
          action: 'llm.call',
          resource: 'claude-opus-4-1',
          estimateUsd: 0.2,
        }),
        await ask({ goblinId: 'researcher', action: 'llm.call', resource: 'claude-haiku-4-5' }),
      ]
      span.end()
      return { traceId: span.spanContext().traceId, answers }
    })
    expect(answers.map((a) => [a.allowed, a.policyIds])).toEqual([
      [true, ['researcher-tools']],
      [false, []],
      [false, ['opus-ceiling']],
      [true, ['models']],
    ])
    expect(answers[2]?.reasons).toEqual([
      'researcher may not call an opus model once 80% of its daily envelope is spent',
    ])
    const sha = answers[0]?.policySetSha256
    expect(sha).toMatch(/^[0-9a-f]{64}$/)

    // The ledger: each decision signed by the service, re-signed by the collector, with the set's hash.
    const entries = readFileSync(join(ledgerDir, 'log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(
      entries.map((e) => [
        e.action,
        e.decision,
        e.trace_id,
        e.attrs['policy.set_sha256'],
        e.attrs['policy.ids'],
      ]),
    ).toEqual([
      ['tool.call', 'allow', traceId, sha, ['researcher-tools']],
      ['tool.call', 'deny', traceId, sha, []],
      ['llm.call', 'deny', traceId, sha, ['opus-ceiling']],
      ['llm.call', 'allow', traceId, sha, ['models']],
    ])
    expect(entries[2].attrs).toMatchObject({
      resource: 'Model::"claude-opus-4-1"',
      principal: 'Goblin::"researcher"',
    })
    expect(answers[0]?.envelope?.kid).toMatch(/^researcher\+/)

    // The span: the last decision as attributes, every decision as an event; the collector counted them.
    await tracing.forceFlush()
    const exposition = await fetch(`${collector.url}/metrics`).then((r) => r.text())
    expect(exposition).toContain(
      'goblin_policy_decisions_total{decision="allow",goblin="researcher",action="tool.call"} 1\n',
    )
    expect(exposition).toContain(
      'goblin_policy_decisions_total{decision="deny",goblin="researcher",action="tool.call"} 1\n',
    )
    expect(exposition).toContain(
      'goblin_policy_decisions_total{decision="deny",goblin="researcher",action="llm.call"} 1\n',
    )
    expect(exposition).toContain(
      'goblin_policy_decisions_total{decision="allow",goblin="researcher",action="llm.call"} 1\n',
    )
  })

  it('picks up an edited policy file at the next decision, and says so by the hash', async () => {
    const ask = () => guard({ cwd: project, goblinId: 'researcher', action: 'tool.call', resource: 'fetch' })
    const before = await ask()
    writeFileSync(
      join(project, 'policies', 'researcher.cedar'),
      `${POLICIES}\n@id("no-fetch") forbid(principal, action, resource == Tool::"fetch");\n`,
    )
    const after = await ask()
    expect([before.allowed, after.allowed, after.policyIds]).toEqual([true, false, ['no-fetch']])
    expect(after.policySetSha256).not.toBe(before.policySetSha256)
  })

  it('costGuard is the budget policy through guard: the envelope figures decide, the reason names them', async () => {
    const fits = await costGuard({ goblin: 'researcher', budgets, spend, estimatedUsd: 1.5 })
    expect(fits).toMatchObject({ allowed: true, policyIds: ['goblin.budget.within'] })
    const over = await costGuard({ goblin: 'researcher', budgets, spend, estimatedUsd: 1.51 })
    expect(over).toMatchObject({
      allowed: false,
      policyIds: ['goblin.budget.exceeded'],
      reason: 'cost envelope goblin researcher per day: spent $8.5 of $10, this call ~$1.51',
    })
    expect(over.envelopes).toEqual([
      expect.objectContaining({ spentUsd: 8.5, remainingUsd: 1.5, status: 'warn' }),
    ])
  })
})
