import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeLogsJson, type LogRecordRow } from '../../../src/collector/otlp-decode.js'
import { noTokens } from '../../../src/llm/llm-call.js'
import { type LogEvent, logEventName, readLogCall, readToolDecision } from '../../../src/llm/read-log.js'

// Recorded from the real CLIs (see test/fixtures/agents/README.md for how, and what the fake model answered).
const FIXTURES = join(import.meta.dirname, '../../fixtures/agents')
const logs = (name: string): LogRecordRow[] =>
  decodeLogsJson(readFileSync(join(FIXTURES, `${name}-logs.json`), 'utf8')).logs
const calls = (rows: LogRecordRow[]) => rows.map(readLogCall).filter((c) => c !== null)
const decisions = (rows: LogRecordRow[]) => rows.map(readToolDecision).filter((d) => d !== null)
/** The fixtures' runs carried TRACEPARENT 00-0af7...319c-... and these resource labels. */
const TRACE = '0af7651916cd43dd8448eb211c80319c'
const LABELS = { goblin: 'fixture-goblin', task: 'fixture-task' }

describe('Claude Code 2.1.332 (claude -p, one Bash call accepted by config)', () => {
  const rows = logs('claude-code-2.1.332-tool-accept')
  const session = rows[0]?.attributes['session.id']

  it('reads each api_request as a call: input counts the cache, Claude Code’s cost_usd is the call’s own', () => {
    // The fake Anthropic server answered every request with input 100, cache read 200, cache creation 50
    // (30 at the 5-minute TTL, 20 at 1 hour) and output 20; Claude Code priced that at $0.0008925.
    expect(calls(rows)).toEqual(
      [1, 2].map(() => ({
        model: 'claude-sonnet-4-5',
        provider: 'anthropic',
        tokens: { input: 350, cacheRead: 200, cacheWrite5m: 30, cacheWrite1h: 20, output: 20, reasoning: 0 },
        metered: true,
        ownCostUsd: 0.0008925000000000001,
        ...LABELS,
        session,
        service: 'claude-code',
        convention: 'claude-code',
      })),
    )
    expect(session).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('names events by their full name although event.name holds the bare one', () => {
    const names = new Set(rows.map(logEventName))
    expect(names).toContain('claude_code.api_request')
    expect(names).toContain('claude_code.tool_decision')
    expect(names).not.toContain('api_request')
  })

  it('reads the tool decision with its source, ids and the trace it continued', () => {
    expect(decisions(rows)).toEqual([
      {
        tool: 'Bash',
        decision: 'accept',
        source: 'config',
        raw: { decision: 'accept', source: 'config' },
        agent: 'claude-code',
        session,
        prompt: rows.find((r) => logEventName(r) === 'claude_code.user_prompt')?.attributes['prompt.id'],
        callId: 'toolu_1',
        ...LABELS,
        traceId: TRACE,
        at: expect.stringMatching(/^2026-12-02T20:\d\d:\d\d\.\d{3}Z$/),
      },
    ])
  })
})

describe('Claude Code 2.1.332 (a Bash call that needs permission, in -p mode)', () => {
  it('reads the rejection, decided by config', () => {
    const [decision] = decisions(logs('claude-code-2.1.332-tool-reject'))
    expect(decision).toMatchObject({ tool: 'Bash', decision: 'reject', source: 'config', callId: 'toolu_1' })
  })
})

describe('Codex CLI 0.171.0 (codex exec, one exec_command approved by config)', () => {
  const rows = logs('codex-0.171.0-tool-accept')

  it('stamps records with observedTimeUnixNano only, which the collector takes as their time', () => {
    expect(
      rows.every((r) => r.observedTimeUnixNano !== '0' && r.timeUnixNano === r.observedTimeUnixNano),
    ).toBe(true)
  })

  it('names events by event.name, not by its tracing label in eventName', () => {
    const sse = rows.find((r) => r.attributes['event.name'] === 'codex.sse_event') as LogRecordRow
    expect(sse.eventName).toMatch(/^event otel\/src\/events\/session_telemetry\.rs:\d+$/)
    expect(logEventName(sse)).toBe('codex.sse_event')
  })

  it('reads each completed response once, from the record that carries usage', () => {
    const completed = rows.filter((r) => r.attributes['event.kind'] === 'response.completed')
    expect(completed).toHaveLength(4)
    // The fake Responses API answered input 300 (100 cached), output 40 (10 reasoning).
    expect(calls(rows)).toEqual(
      [1, 2].map(() => ({
        model: 'gpt-5',
        provider: 'openai',
        tokens: { input: 300, cacheRead: 100, cacheWrite5m: 0, cacheWrite1h: 0, output: 40, reasoning: 10 },
        metered: true,
        ownCostUsd: null,
        ...LABELS,
        session: completed[0]?.attributes['conversation.id'],
        service: 'codex_exec',
        convention: 'codex',
      })),
    )
  })

  it('reads the tool decision: approved by Config', () => {
    expect(decisions(rows)).toEqual([
      expect.objectContaining({
        tool: 'exec_command',
        decision: 'accept',
        source: 'config',
        raw: { decision: 'approved', source: 'Config' },
        agent: 'codex',
        callId: 'call_1',
        traceId: TRACE,
      }),
    ])
  })
})

describe('Gemini CLI 0.61.0 (gemini -p --yolo, one run_shell_command)', () => {
  const rows = logs('gemini-cli-0.61.0-tool-accept')
  const session = rows[0]?.resource['session.id']

  it('reads api_response as the call; its GenAI details events, with fewer counts, are not counted again', () => {
    expect(rows.filter((r) => logEventName(r) === 'gen_ai.client.inference.operation.details')).toHaveLength(
      4,
    )
    // The fake Gemini API answered prompt 500 (200 cached), candidates 30, thoughts 15.
    expect(calls(rows)).toEqual(
      [1, 2].map(() => ({
        model: 'gemini-2.5-pro',
        provider: 'gemini',
        tokens: { input: 500, cacheRead: 200, cacheWrite5m: 0, cacheWrite1h: 0, output: 45, reasoning: 15 },
        metered: true,
        ownCostUsd: null,
        ...LABELS,
        session,
        service: 'gemini-cli',
        convention: 'gemini-cli',
      })),
    )
  })

  it('reads the decision from tool_call, which does not say who decided', () => {
    expect(decisions(rows)).toEqual([
      expect.objectContaining({
        tool: 'run_shell_command',
        decision: 'accept',
        source: null,
        agent: 'gemini-cli',
        session,
        callId: null,
      }),
    ])
  })

  it('records no decision for a tool the CLI never offered (non-interactive default mode)', () => {
    const unavailable = logs('gemini-cli-0.61.0-tool-unavailable')
    expect(unavailable.some((r) => logEventName(r) === 'gemini_cli.tool_call')).toBe(true)
    expect(decisions(unavailable)).toEqual([])
  })
})

/** A log event as another sender might write it. */
function event(name: string, attributes: LogEvent['attributes'], serviceName = 'some-service'): LogEvent {
  return {
    attributes: { 'event.name': name, ...attributes },
    resource: {},
    body: null,
    serviceName,
    traceId: null,
  }
}

describe('the GenAI inference event from other senders', () => {
  it('is a call whose input counts the cache, as the convention says', () => {
    const call = readLogCall(
      event('gen_ai.client.inference.operation.details', {
        'gen_ai.provider.name': 'openai.responses',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.usage.input_tokens': 1000,
        'gen_ai.usage.cache_read.input_tokens': 400,
        'gen_ai.usage.output_tokens': 50,
        'gen_ai.usage.reasoning.output_tokens': 20,
        'gen_ai.conversation.id': 'conv-1',
      }),
    )
    expect(call).toMatchObject({
      model: 'gpt-4o-2024-08-06',
      provider: 'openai',
      tokens: { input: 1000, cacheRead: 400, cacheWrite5m: 0, output: 50, reasoning: 20 },
      metered: true,
      session: 'conv-1',
      convention: 'gen_ai',
    })
  })

  it('is an unmetered call when a response came back without usage, and no call when only the request is described', () => {
    const answered = event('gen_ai.client.inference.operation.details', { 'gen_ai.response.model': 'gpt-4o' })
    expect(readLogCall(answered)).toMatchObject({ model: 'gpt-4o', metered: false, tokens: noTokens() })
    expect(
      readLogCall(event('gen_ai.client.inference.operation.details', { 'gen_ai.request.model': 'gpt-4o' })),
    ).toBeNull()
  })
})

describe('hostile or odd values', () => {
  const claude = (attributes: LogEvent['attributes']) =>
    readLogCall({
      ...event('api_request', { model: 'claude-x', ...attributes }),
      body: 'claude_code.api_request',
    })

  it('takes no negative, fractional, non-numeric or unsafe count, and no negative or non-finite cost', () => {
    const call = claude({
      input_tokens: -5,
      output_tokens: 1.5,
      cache_read_tokens: 'lots',
      cache_creation_tokens: '99999999999999999999',
      cost_usd: -1,
    })
    expect(call).toMatchObject({ tokens: noTokens(), metered: false, ownCostUsd: null })
    expect(claude({ cost_usd: 'NaN' })?.ownCostUsd).toBeNull()
    expect(claude({ input_tokens: '12', cost_usd: '0.5' })).toMatchObject({
      tokens: { input: 12 },
      ownCostUsd: 0.5,
    })
  })

  it('never lets cache or reasoning counts exceed what they are part of', () => {
    const call = readLogCall(
      event('codex.sse_event', {
        'event.kind': 'response.completed',
        input_token_count: '10',
        cached_token_count: '50',
        output_token_count: '5',
        reasoning_token_count: '9',
      }),
    )
    expect(call?.tokens).toEqual({ ...noTokens(), input: 10, cacheRead: 10, output: 5, reasoning: 5 })
    // A 1-hour cache write larger than all cache writes is capped to them.
    expect(claude({ cache_creation_tokens: 10, cache_creation_1h_tokens: 40 })?.tokens).toMatchObject({
      cacheWrite1h: 10,
      cacheWrite5m: 0,
    })
  })

  it('ignores other events, a decision it cannot read, and a tool decision without a tool', () => {
    expect(readLogCall(event('claude_code.user_prompt', {}))).toBeNull()
    expect(readLogCall(event('codex.sse_event', { 'event.kind': 'response.output_item.done' }))).toBeNull()
    expect(readToolDecision(event('codex.tool_decision', { tool_name: 'x', decision: 'maybe' }))).toBeNull()
    expect(readToolDecision(event('codex.tool_decision', { decision: 'approved' }))).toBeNull()
    expect(readLogCall({ ...event('x', {}), attributes: {} })).toBeNull()
  })

  it('maps Claude Code’s user sources to user, keeping its own word', () => {
    const d = readToolDecision(
      event('claude_code.tool_decision', { tool_name: 'Edit', decision: 'accept', source: 'user_permanent' }),
    )
    expect(d).toMatchObject({ source: 'user', raw: { decision: 'accept', source: 'user_permanent' } })
  })
})
