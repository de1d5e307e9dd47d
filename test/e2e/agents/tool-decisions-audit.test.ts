import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Envelope } from '../../../src/audit/envelope.js'
import { parseJson, runGoblin, tempDir } from '../../helpers/cli.js'
import { type ServedCollector, serveCollector } from './goblin-collector.js'

// The recorded OTLP logs of real CLI runs (test/fixtures/agents/README.md), sent as the CLIs sent them.
const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '../../fixtures/agents', `${name}-logs.json`))
const home = tempDir()
const env = { GOBLIN_HOME: home.path }
let collector: ServedCollector

const postLogs = (body: Buffer) =>
  fetch(`${collector.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
const ledger = () =>
  readFileSync(join(home.path, 'audit', 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Envelope)

beforeAll(async () => {
  expect((await runGoblin(['audit', 'keygen'], { env })).exitCode).toBe(0)
  collector = await serveCollector(home.path, ['--audit'])
}, 120_000)
afterAll(async () => {
  await collector?.stop()
  home.cleanup()
})

describe('collector serve --audit: coding agents’ tool decisions', { timeout: 120_000 }, () => {
  it('appends each decision once, signed by the collector, and audit verify accepts the log', async () => {
    const claude = fixture('claude-code-2.1.332-tool-reject')
    expect((await postLogs(claude)).status).toBe(200)
    // A retry of the same request (its answer lost): the decision is already in the ledger.
    expect((await postLogs(claude)).status).toBe(200)
    expect((await postLogs(fixture('codex-0.171.0-tool-accept'))).status).toBe(200)
    // Gemini CLI's call of a tool it never offered carries no decision: nothing to append.
    expect((await postLogs(fixture('gemini-cli-0.61.0-tool-unavailable'))).status).toBe(200)

    const entries = ledger()
    expect(entries.map((e) => [e.seq, e.goblin_id, e.action, e.decision, e.trace_id])).toEqual([
      [0, 'fixture-goblin', 'tool.Bash', 'reject', '0af7651916cd43dd8448eb211c80319c'],
      [1, 'fixture-goblin', 'tool.exec_command', 'accept', '0af7651916cd43dd8448eb211c80319c'],
    ])
    expect(entries[0]?.attrs).toMatchObject({ agent: 'claude-code', 'decision.source': 'config' })
    expect(entries[1]?.attrs).toMatchObject({ agent: 'codex', 'agent.decision': 'approved' })
    // Signed by the collector's own key: the agents cannot sign.
    expect(new Set(entries.map((e) => e.kid))).toEqual(new Set([entries[0]?.kid]))
    expect(entries[0]?.kid).toMatch(/^goblin\+[0-9a-f]{8}$/)

    const verify = await runGoblin(['audit', 'verify', '--json'], { env })
    expect(verify.exitCode, verify.stderr).toBe(0)
    expect(parseJson<{ entries: number }>(verify).entries).toBe(2)
  })

  it('stores every record as a log too, decisions included', async () => {
    const records = (name: string) =>
      (
        JSON.parse(fixture(name).toString()) as {
          resourceLogs: Array<{ scopeLogs: Array<{ logRecords: unknown[] }> }>
        }
      ).resourceLogs
        .flatMap((r) => r.scopeLogs)
        .reduce((sum, s) => sum + s.logRecords.length, 0)
    const sent =
      2 * records('claude-code-2.1.332-tool-reject') +
      records('codex-0.171.0-tool-accept') +
      records('gemini-cli-0.61.0-tool-unavailable')
    const exposition = await fetch(`${collector.url}/metrics`).then((r) => r.text())
    expect(exposition).toContain(`goblin_logs_received_total ${sent}\n`)
    expect(exposition).toContain('goblin_audit_appended_total 2\n')
  })
})
