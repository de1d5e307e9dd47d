import { describe, expect, it } from 'vitest'
import type { SpanRecord } from '../../../src/collector/span-record.js'
import { readSpanCall, type SpanLabels, spanLabels } from '../../../src/llm/read-span.js'
import { placeCalls, placedCall } from '../../../src/llm/trace-calls.js'

function span(attributes: SpanRecord['attributes'], over: Partial<SpanRecord> = {}): SpanRecord {
  return {
    traceId: 'a'.repeat(32),
    spanId: '1'.repeat(16),
    parentSpanId: null,
    name: 'chat',
    kind: 3,
    startTimeUnixNano: '1',
    endTimeUnixNano: '2',
    statusCode: 0,
    serviceName: 'svc',
    attributes,
    resource: { 'service.name': 'svc', 'goblin.id': 'g1' },
    ...over,
  }
}

describe('readSpanCall', () => {
  it('reads the GenAI convention, cache tokens inside the input', () => {
    const call = readSpanCall(
      span({
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.usage.input_tokens': 1_000,
        'gen_ai.usage.output_tokens': 50,
        'gen_ai.usage.cache_read.input_tokens': 600,
        'gen_ai.usage.cache_write.input_tokens': 200,
        'session.id': 's-1',
      }),
    )
    expect(call).toMatchObject({
      model: 'claude-sonnet-4-5',
      provider: 'anthropic',
      tokens: { input: 1_000, cacheRead: 600, cacheWrite5m: 200, output: 50 },
      metered: true,
      session: 's-1',
      goblin: 'g1',
      convention: 'gen_ai',
    })
  })

  it('adds the cache back when a sender passed raw Anthropic usage (cache larger than input)', () => {
    const call = readSpanCall(
      span({
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.usage.input_tokens': 10,
        'gen_ai.usage.output_tokens': 5,
        'gen_ai.usage.cache_read_input_tokens': 900,
      }),
    )
    expect(call?.tokens.input).toBe(910)
  })

  it('reads OpenLLMetry spellings', () => {
    const call = readSpanCall(
      span({
        'gen_ai.system': 'openai.responses',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.usage.prompt_tokens': '120',
        'gen_ai.usage.completion_tokens': '30',
      }),
    )
    expect(call).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini-2024-07-18' })
    expect(call?.tokens).toMatchObject({ input: 120, output: 30 })
  })

  it('reads OpenInference', () => {
    const call = readSpanCall(
      span({
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'gpt-4o-mini',
        'llm.provider': 'openai',
        'llm.token_count.prompt': 500,
        'llm.token_count.completion': 40,
        'llm.token_count.prompt_details.cache_read': 300,
        'llm.token_count.completion_details.reasoning': 10,
      }),
    )
    expect(call).toMatchObject({ convention: 'openinference', model: 'gpt-4o-mini', provider: 'openai' })
    expect(call?.tokens).toMatchObject({ input: 500, cacheRead: 300, output: 40, reasoning: 10 })
  })

  it("reads the AI SDK's legacy ai.* attributes, cache details included", () => {
    const call = readSpanCall(
      span(
        {
          'ai.model.id': 'gpt-4o-mini',
          'ai.model.provider': 'openai.chat',
          'ai.usage.inputTokens': 800,
          'ai.usage.outputTokens': 20,
          'ai.usage.inputTokenDetails.cacheReadTokens': 512,
          'ai.usage.inputTokenDetails.cacheWriteTokens': 100,
        },
        { name: 'ai.generateText.doGenerate' },
      ),
    )
    expect(call).toMatchObject({ convention: 'ai-sdk', provider: 'openai' })
    expect(call?.tokens).toMatchObject({ input: 800, cacheRead: 512, cacheWrite5m: 100, output: 20 })
  })

  it("reads langsmith's usage_metadata JSON", () => {
    const call = readSpanCall(
      span({
        'langsmith.metadata.ls_model_name': 'gpt-4o-mini',
        'langsmith.metadata.ls_provider': 'openai',
        'langsmith.usage_metadata': JSON.stringify({
          input_tokens: 90,
          output_tokens: 12,
          total_tokens: 102,
          input_token_details: { cache_read: 64 },
        }),
      }),
    )
    expect(call).toMatchObject({ convention: 'langsmith', model: 'gpt-4o-mini' })
    expect(call?.tokens).toMatchObject({ input: 90, cacheRead: 64, output: 12 })
  })

  it('flags a model call with no usage as unmetered rather than reading it as zero', () => {
    const call = readSpanCall(
      span({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4.1-mini' }),
    )
    expect(call).toMatchObject({ metered: false, model: 'gpt-4.1-mini', ownCostUsd: null })
  })

  it('is no call for a span that only names a model (an agent step, a tool)', () => {
    expect(
      readSpanCall(span({ 'gen_ai.request.model': 'gpt-4o', 'gen_ai.operation.name': 'execute_tool' })),
    ).toBeNull()
    expect(readSpanCall(span({ model: 'gpt-5.5' }))).toBeNull()
    expect(spanLabels(span({ model: 'gpt-5.5' })).model).toBe('gpt-5.5')
  })

  it('refuses counts that are not non-negative numbers', () => {
    const call = readSpanCall(
      span({ 'gen_ai.usage.input_tokens': -5, 'gen_ai.usage.output_tokens': 'lots', 'llm.cost': 0.25 }),
    )
    expect(call).toMatchObject({ metered: false, ownCostUsd: 0.25 })
  })
})

describe('placeCalls', () => {
  const none: SpanLabels = { model: null, goblin: null, task: null, session: null }
  const node = (spanId: string, parentSpanId: string | null, labels: Partial<SpanLabels> = {}) => ({
    spanId,
    parentSpanId,
    labels: { ...none, ...labels },
  })

  it('marks a call with a call below it at any depth as an aggregate (invoke_agent → step → chat)', () => {
    const places = placeCalls(
      [node('agent', null), node('step', 'agent'), node('chat', 'step')],
      ['agent', 'chat'],
    )
    expect(places.get('agent')?.aggregate).toBe(true)
    expect(places.get('chat')?.aggregate).toBe(false)
  })

  it('inherits the nearest ancestor model', () => {
    const places = placeCalls(
      [
        node('session', null, { model: 'gpt-5' }),
        node('turn', 'session', { model: 'gpt-5.5' }),
        node('sse', 'turn'),
      ],
      ['sse'],
    )
    expect(places.get('sse')?.inherited.model).toBe('gpt-5.5')
  })

  it('takes each label the call does not name from the nearest ancestor naming it, its own first', () => {
    // trace exec --attr goblin.id=researcher --attr task.id=t-7 around an AI SDK agent: invoke_agent → chat.
    const places = placeCalls(
      [
        node('exec', null, { goblin: 'researcher', task: 't-7' }),
        node('agent', 'exec', { session: 'conv-1', task: 't-8' }),
        node('chat', 'agent'),
      ],
      ['chat'],
    )
    expect(places.get('chat')?.inherited).toEqual({
      model: null,
      goblin: 'researcher',
      task: 't-8',
      session: 'conv-1',
    })
    const call = readSpanCall(
      span(
        { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10, 'task.id': 'own' },
        { resource: {} },
      ),
    )
    expect(placedCall(call as NonNullable<typeof call>, places.get('chat'))).toMatchObject({
      model: 'gpt-4o',
      goblin: 'researcher',
      task: 'own',
      session: 'conv-1',
    })
  })

  it("reads a span's goblin, task and session from its resource where its attributes name none", () => {
    expect(spanLabels(span({ 'session.id': 's1' }))).toEqual({
      model: null,
      goblin: 'g1',
      task: null,
      session: 's1',
    })
  })

  it('ends the walk on a cycle in bad input', () => {
    const places = placeCalls([node('a', 'b'), node('b', 'a')], ['a', 'b'])
    expect(places.get('a')?.aggregate).toBe(true)
  })
})
