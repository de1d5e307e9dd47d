import Anthropic from '@anthropic-ai/sdk'
import { GoogleGenAI } from '@google/genai'
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { FakeModelServer } from '../../support/fake-model-server.js'

// The fake model server against the providers' own SDKs: each SDK parses the reply and sees the usage.

let server: FakeModelServer
let openai: OpenAI
let anthropic: Anthropic
let gemini: GoogleGenAI

beforeAll(async () => {
  server = await FakeModelServer.start()
  openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-test', maxRetries: 0 })
  anthropic = new Anthropic({ baseURL: server.url, apiKey: 'sk-ant-test', maxRetries: 0 })
  gemini = new GoogleGenAI({ apiKey: 'gemini-test', httpOptions: { baseUrl: server.url } })
})
afterAll(() => server.close())
beforeEach(() => {
  server.requests.length = 0
})

const bash = { name: 'Bash', arguments: { command: 'echo hi' } }

describe('OpenAI Chat Completions', () => {
  it('answers JSON with the fixed usage, cache and reasoning details included', async () => {
    server.script('openai-chat', { text: 'plain answer' })
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(completion.choices[0]?.message.content).toBe('plain answer')
    expect(completion.model).toBe('gpt-4o-mini')
    expect(completion.usage).toMatchObject({
      prompt_tokens: 400,
      completion_tokens: 60,
      total_tokens: 460,
      prompt_tokens_details: { cached_tokens: 100 },
      completion_tokens_details: { reasoning_tokens: 20 },
    })
    expect(server.calls('openai-chat')).toHaveLength(1)
  })

  it('streams the text and sends usage in a last chunk only when include_usage asks for it', async () => {
    server.script('openai-chat', { text: 'one two three' }, { text: 'again' })
    const withUsage = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    let usage: OpenAI.CompletionUsage | null | undefined
    for await (const chunk of withUsage) {
      text += chunk.choices[0]?.delta.content ?? ''
      if (chunk.usage) usage = chunk.usage
    }
    expect(text).toBe('one two three')
    expect(usage).toEqual(server.usage['openai-chat'])

    const withoutUsage = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    })
    const chunks = []
    for await (const chunk of withoutUsage) chunks.push(chunk)
    expect(chunks.some((chunk) => chunk.usage)).toBe(false)
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('again')
  })

  it('drives a tool call, streamed, and records the tool result the client sends back', async () => {
    server.script('openai-chat', { toolCall: bash }, { text: 'done' })
    const stream = openai.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'run echo hi' }],
      tools: [{ type: 'function', function: { name: 'Bash', parameters: { type: 'object' } } }],
    })
    const first = await stream.finalChatCompletion()
    const call = first.choices[0]?.message.tool_calls?.[0]
    expect(first.choices[0]?.finish_reason).toBe('tool_calls')
    expect(call?.type === 'function' && call.function.name).toBe('Bash')
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ command: 'echo hi' })

    const second = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'user', content: 'run echo hi' },
        first.choices[0]?.message as OpenAI.ChatCompletionMessageParam,
        { role: 'tool', tool_call_id: String(call?.id), content: 'hi\n' },
      ],
    })
    expect(second.choices[0]?.message.content).toBe('done')
    expect(server.toolResults('openai-chat')).toEqual([{ id: call?.id, output: 'hi\n' }])
  })
})

describe('OpenAI Responses', () => {
  it('answers JSON with the usage and its details', async () => {
    server.script('openai-responses', { text: 'a response' })
    const response = await openai.responses.create({ model: 'gpt-5-mini', input: 'hi' })
    expect(response.output_text).toBe('a response')
    expect(response.usage).toEqual(server.usage['openai-responses'])
    expect(response.usage).toMatchObject({
      input_tokens: 300,
      input_tokens_details: { cached_tokens: 100 },
      output_tokens: 40,
      output_tokens_details: { reasoning_tokens: 10 },
    })
  })

  it('streams typed events, response.completed carrying the usage', async () => {
    server.script('openai-responses', { text: 'streamed words here' })
    const stream = await openai.responses.create({ model: 'gpt-5-mini', input: 'hi', stream: true })
    const types: string[] = []
    let text = ''
    let usage: OpenAI.Responses.ResponseUsage | null | undefined
    for await (const event of stream) {
      types.push(event.type)
      if (event.type === 'response.output_text.delta') text += event.delta
      if (event.type === 'response.completed') usage = event.response.usage
    }
    expect(text).toBe('streamed words here')
    expect(types[0]).toBe('response.created')
    expect(types.at(-1)).toBe('response.completed')
    expect(usage).toEqual(server.usage['openai-responses'])
  })

  it('drives a function call and records the function_call_output', async () => {
    server.script('openai-responses', { toolCall: { name: 'exec_command', arguments: { cmd: 'echo hi' } } })
    const stream = openai.responses.stream({
      model: 'gpt-5-mini',
      input: 'run echo hi',
      tools: [{ type: 'function', name: 'exec_command', parameters: { type: 'object' }, strict: false }],
    })
    const first = await stream.finalResponse()
    const call = first.output.find((item) => item.type === 'function_call')
    expect(call?.type === 'function_call' && JSON.parse(call.arguments)).toEqual({ cmd: 'echo hi' })
    const callId = call?.type === 'function_call' ? call.call_id : ''

    await openai.responses.create({
      model: 'gpt-5-mini',
      input: [{ type: 'function_call_output', call_id: callId, output: 'hi\n' }],
    })
    expect(server.toolResults('openai-responses')).toEqual([{ id: callId, output: 'hi\n' }])
  })
})

describe('Anthropic Messages', () => {
  it('answers JSON with the input, cache read, cache write (by TTL) and output usage', async () => {
    server.script('anthropic', { text: 'a message' })
    const message = await anthropic.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(message.content).toEqual([{ type: 'text', text: 'a message' }])
    expect(message.usage).toMatchObject({
      input_tokens: 100,
      cache_read_input_tokens: 200,
      cache_creation_input_tokens: 50,
      cache_creation: { ephemeral_5m_input_tokens: 30, ephemeral_1h_input_tokens: 20 },
      output_tokens: 20,
    })
  })

  it('streams message_start … message_stop; the SDK accumulates the final usage', async () => {
    server.script('anthropic', { text: 'streamed reply' })
    const stream = anthropic.messages.stream({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    })
    const events: string[] = []
    stream.on('streamEvent', (event) => events.push(event.type))
    const message = await stream.finalMessage()
    expect(message.content).toEqual([{ type: 'text', text: 'streamed reply' }])
    expect(message.usage).toMatchObject({
      input_tokens: 100,
      cache_read_input_tokens: 200,
      cache_creation_input_tokens: 50,
      output_tokens: 20,
    })
    expect(events[0]).toBe('message_start')
    expect(events.slice(-2)).toEqual(['message_delta', 'message_stop'])
  })

  it('drives a Bash tool_use and records the tool_result and its is_error flag', async () => {
    server.script('anthropic', { text: 'I will run it.', toolCall: bash }, { text: 'done' })
    const first = await anthropic.messages
      .stream({
        model: 'claude-sonnet-4-5',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'run echo hi' }],
      })
      .finalMessage()
    expect(first.stop_reason).toBe('tool_use')
    const toolUse = first.content.find((block) => block.type === 'tool_use')
    expect(toolUse?.type === 'tool_use' && toolUse.input).toEqual({ command: 'echo hi' })
    const id = toolUse?.type === 'tool_use' ? toolUse.id : ''

    await anthropic.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'run echo hi' },
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: id, content: 'Permission denied', is_error: true }],
        },
      ],
    })
    expect(server.toolResults('anthropic')).toEqual([{ id, output: 'Permission denied', isError: true }])
  })

  it('answers count_tokens and the start-up check without counting them as calls', async () => {
    const count = await anthropic.messages.countTokens({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(count.input_tokens).toBe(100)
    const hello = await fetch(`${server.url}/api/hello`, { method: 'HEAD' })
    expect(hello.status).toBe(200)
    expect(server.calls()).toHaveLength(0)
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/messages/count_tokens', '/api/hello'])
  })
})

describe('Gemini', () => {
  it('answers generateContent with usageMetadata', async () => {
    server.script('gemini', { text: 'gemini says hi' })
    const response = await gemini.models.generateContent({ model: 'gemini-2.5-pro', contents: 'hi' })
    expect(response.text).toBe('gemini says hi')
    expect(response.usageMetadata).toMatchObject({
      promptTokenCount: 500,
      cachedContentTokenCount: 200,
      candidatesTokenCount: 30,
      thoughtsTokenCount: 15,
      totalTokenCount: 545,
    })
    expect(server.calls('gemini')[0]?.model).toBe('gemini-2.5-pro')
  })

  it('streams over SSE, the last chunk with the complete usage', async () => {
    server.script('gemini', { text: 'streamed gemini text' })
    const stream = await gemini.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi' })
    let text = ''
    let last: unknown
    for await (const chunk of stream) {
      text += chunk.text ?? ''
      last = chunk.usageMetadata
    }
    expect(text).toBe('streamed gemini text')
    expect(last).toEqual(server.usage.gemini)
    expect(server.calls('gemini')[0]?.query.get('alt')).toBe('sse')
  })

  it('drives a functionCall and records the functionResponse', async () => {
    server.script('gemini', { toolCall: { name: 'run_shell_command', arguments: { command: 'echo hi' } } })
    const first = await gemini.models.generateContent({ model: 'gemini-2.5-pro', contents: 'run echo hi' })
    expect(first.functionCalls).toEqual([{ name: 'run_shell_command', args: { command: 'echo hi' } }])
    await gemini.models.generateContent({
      model: 'gemini-2.5-pro',
      contents: [
        { role: 'user', parts: [{ text: 'run echo hi' }] },
        {
          role: 'model',
          parts: [{ functionCall: { name: 'run_shell_command', args: { command: 'echo hi' } } }],
        },
        {
          role: 'user',
          parts: [{ functionResponse: { name: 'run_shell_command', response: { output: 'hi' } } }],
        },
      ],
    })
    expect(server.toolResults('gemini')).toEqual([{ id: 'run_shell_command', output: '{"output":"hi"}' }])
  })

  it('answers countTokens', async () => {
    const count = await gemini.models.countTokens({ model: 'gemini-2.5-pro', contents: 'hi' })
    expect(count.totalTokens).toBe(500)
  })
})

describe('the script and bad requests', () => {
  it('skips a reply whose `when` refuses the request, and falls back to the default reply', async () => {
    server.script('anthropic', { text: 'only for streams', when: (request) => request.stream })
    const plain = await anthropic.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'title?' }],
    })
    expect(plain.content).toEqual([{ type: 'text', text: server.defaultReply.text }])
    const streamed = await anthropic.messages
      .stream({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .finalMessage()
    expect(streamed.content[0]).toMatchObject({ text: 'only for streams' })
  })

  it('answers a scripted error in the API format, which the SDK raises as its own error', async () => {
    server.script('openai-chat', { error: { status: 400, message: 'context too long' } })
    const failed = openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
    })
    await expect(failed).rejects.toBeInstanceOf(OpenAI.BadRequestError)
    await expect(failed).rejects.toThrow(/context too long/)
    expect(server.calls('openai-chat')[0]?.reply).toBeUndefined()
  })

  it('answers a body that is not JSON with 400, and an unknown path with 404, recording both', async () => {
    const notJson = await fetch(`${server.url}/v1/messages`, { method: 'POST', body: '{not json' })
    expect(notJson.status).toBe(400)
    expect(await notJson.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } })
    const unknown = await fetch(`${server.url}/v1/embeddings`, { method: 'POST', body: '{}' })
    expect(unknown.status).toBe(404)
    expect(server.requests.map((r) => [r.api, r.body])).toEqual([
      ['anthropic', '{not json'],
      [null, {}],
    ])
  })

  it('names the served model as servedModel says (a dated snapshot for an alias)', async () => {
    const dated = await FakeModelServer.start({ servedModel: (model) => `${model}-2024-07-18` })
    try {
      const client = new OpenAI({ baseURL: `${dated.url}/v1`, apiKey: 'sk-test' })
      const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] })
      expect(completion.model).toBe('gpt-4o-mini-2024-07-18')
    } finally {
      await dated.close()
    }
  })
})
