import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DECISION_KEY_ATTR, decisionAudit } from '../../../src/agents/decision-audit.js'
import { decodeLogsJson } from '../../../src/collector/otlp-decode.js'
import type { LogEvent } from '../../../src/llm/read-log.js'

const FIXTURES = join(import.meta.dirname, '../../fixtures/agents')
const audits = (name: string) =>
  decodeLogsJson(readFileSync(join(FIXTURES, `${name}-logs.json`), 'utf8'))
    .logs.map(decisionAudit)
    .filter((a) => a !== null)

describe('decisionAudit', () => {
  it('makes Claude Code’s rejection an envelope event: goblin from the resource, action tool.<name>, ids in attrs', () => {
    const [audit, ...more] = audits('claude-code-2.1.332-tool-reject')
    expect(more).toEqual([])
    expect(audit?.event).toEqual({
      goblin_id: 'fixture-goblin',
      action: 'tool.Bash',
      decision: 'reject',
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      attrs: {
        agent: 'claude-code',
        'decision.source': 'config',
        'agent.decision': 'reject',
        'agent.decision_source': 'config',
        'session.id': expect.stringMatching(/^[0-9a-f-]{36}$/),
        'prompt.id': expect.stringMatching(/^[0-9a-f-]{36}$/),
        'tool.call_id': 'toolu_1',
        'task.id': 'fixture-task',
        'agent.timestamp': expect.stringMatching(/Z$/),
        [DECISION_KEY_ATTR]: audit?.key,
      },
    })
  })

  it('leaves out what an agent does not say (Gemini CLI: no source, no call id)', () => {
    const [audit] = audits('gemini-cli-0.61.0-tool-accept')
    expect(audit?.event.action).toBe('tool.run_shell_command')
    expect(audit?.event.attrs).not.toHaveProperty('decision.source')
    expect(audit?.event.attrs).not.toHaveProperty('tool.call_id')
    // Without a call id the agent's own time tells two calls of one tool apart.
    expect(audit?.key).toContain(audit?.event.attrs?.['agent.timestamp'] as string)
  })

  const decision = (attributes: LogEvent['attributes'], resource: LogEvent['resource'] = {}): LogEvent => ({
    attributes: {
      'event.name': 'claude_code.tool_decision',
      decision: 'accept',
      source: 'hook',
      ...attributes,
    },
    resource,
    body: null,
    serviceName: 'claude-code',
    traceId: null,
  })

  it('names the sender’s service as the goblin when no goblin id was given', () => {
    expect(decisionAudit(decision({ tool_name: 'Read' }))?.event).toMatchObject({
      goblin_id: 'claude-code',
      trace_id: null,
    })
  })

  it('gives the same decision the same key, and different calls different keys', () => {
    const a = decisionAudit(decision({ tool_name: 'Read', tool_use_id: 'toolu_a', 'session.id': 's' }))
    const again = decisionAudit(decision({ tool_name: 'Read', tool_use_id: 'toolu_a', 'session.id': 's' }))
    const b = decisionAudit(decision({ tool_name: 'Read', tool_use_id: 'toolu_b', 'session.id': 's' }))
    expect(a?.key).toBe(again?.key)
    expect(a?.key).not.toBe(b?.key)
  })

  it('drops a decision whose tool name cannot be an envelope action (over 1024 characters)', () => {
    expect(decisionAudit(decision({ tool_name: 'x'.repeat(2000) }))).toBeNull()
    expect(
      decisionAudit({ ...decision({ tool_name: 'Read' }), attributes: { 'event.name': 'other' } }),
    ).toBeNull()
  })
})
