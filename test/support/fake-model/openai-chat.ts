import {
  asArray,
  asRecord,
  contentText,
  type RenderContext,
  type Reply,
  type SseEvent,
  type ToolResult,
  textDeltas,
} from './reply.js'

/**
 * OpenAI Chat Completions (`POST /v1/chat/completions`), as the API reference documents it: a
 * `chat.completion` object, or with `stream: true` a run of `chat.completion.chunk` events closed by
 * `data: [DONE]`; the usage arrives in one last chunk with empty `choices`, and only when the request asked
 * for it with `stream_options.include_usage`.
 */
export interface ChatUsage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number }
  completion_tokens_details: {
    reasoning_tokens: number
    audio_tokens: number
    accepted_prediction_tokens: number
    rejected_prediction_tokens: number
  }
}

/** The usage answered for every Chat Completions call unless a test sets its own. */
export function chatUsage(prompt = 400, cached = 100, completion = 60, reasoning = 20): ChatUsage {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  }
}

function toolCallOf(reply: Reply, id: string) {
  if (!reply.toolCall) return undefined
  return {
    id,
    type: 'function',
    function: { name: reply.toolCall.name, arguments: JSON.stringify(reply.toolCall.arguments) },
  }
}

/** The non-streamed `chat.completion` body. */
export function chatCompletion(reply: Reply, usage: ChatUsage, ctx: RenderContext): unknown {
  const toolCall = toolCallOf(reply, ctx.id('call_fake_'))
  return {
    id: ctx.id('chatcmpl-fake'),
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    system_fingerprint: 'fp_fake',
    service_tier: 'default',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: reply.text ?? null,
          refusal: null,
          annotations: [],
          ...(toolCall ? { tool_calls: [toolCall] } : {}),
        },
        logprobs: null,
        finish_reason: toolCall ? 'tool_calls' : 'stop',
      },
    ],
    usage,
  }
}

/** The streamed chunks; the usage chunk only when `includeUsage`. */
export function chatCompletionChunks(
  reply: Reply,
  usage: ChatUsage,
  includeUsage: boolean,
  ctx: RenderContext,
): SseEvent[] {
  const id = ctx.id('chatcmpl-fake')
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): SseEvent => ({
    data: {
      id,
      object: 'chat.completion.chunk',
      created: ctx.created,
      model: ctx.model,
      system_fingerprint: 'fp_fake',
      service_tier: 'default',
      choices,
      ...(includeUsage ? { usage: null } : {}),
      ...extra,
    },
  })
  const delta = (d: Record<string, unknown>, finish: string | null = null) =>
    chunk([{ index: 0, delta: d, logprobs: null, finish_reason: finish }])

  const events = [delta({ role: 'assistant', content: '', refusal: null })]
  for (const text of reply.text ? textDeltas(reply.text) : []) events.push(delta({ content: text }))
  const toolCall = toolCallOf(reply, ctx.id('call_fake_'))
  if (toolCall) {
    // The first tool-call delta names the call; the arguments follow as string fragments.
    const args = toolCall.function.arguments
    const half = Math.ceil(args.length / 2)
    events.push(
      delta({
        tool_calls: [
          {
            index: 0,
            id: toolCall.id,
            type: 'function',
            function: { name: toolCall.function.name, arguments: '' },
          },
        ],
      }),
      delta({ tool_calls: [{ index: 0, function: { arguments: args.slice(0, half) } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: args.slice(half) } }] }),
    )
  }
  events.push(delta({}, toolCall ? 'tool_calls' : 'stop'))
  if (includeUsage) events.push(chunk([], { usage }))
  events.push({ data: '[DONE]' })
  return events
}

/** The tool results in a request: messages of role `tool`. */
export function chatToolResults(body: unknown): ToolResult[] {
  return asArray(asRecord(body)?.messages)
    .map(asRecord)
    .filter((message) => message?.role === 'tool')
    .map((message) => ({ id: String(message?.tool_call_id), output: contentText(message?.content) }))
}
