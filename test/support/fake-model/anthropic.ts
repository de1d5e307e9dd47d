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
 * Anthropic Messages (`POST /v1/messages`), as the API reference documents it: a `message` object, or with
 * `stream: true` the events `message_start` (the message with its input usage: `input_tokens` excludes the
 * cache, `cache_read_input_tokens` and `cache_creation_input_tokens` come on top, split by TTL in
 * `cache_creation`), `content_block_start` / `content_block_delta` (`text_delta`, `input_json_delta`) /
 * `content_block_stop` per block, `ping`, `message_delta` (stop reason and the cumulative usage, output
 * included) and `message_stop`.
 */
export interface AnthropicUsage {
  input_tokens: number
  cache_creation_input_tokens: number
  cache_read_input_tokens: number
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number }
  output_tokens: number
  service_tier: 'standard'
}

/** The usage answered for every Messages call unless a test sets its own. */
export function anthropicUsage(
  input = 100,
  cacheRead = 200,
  cache5m = 30,
  cache1h = 20,
  output = 20,
): AnthropicUsage {
  return {
    input_tokens: input,
    cache_creation_input_tokens: cache5m + cache1h,
    cache_read_input_tokens: cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: cache5m, ephemeral_1h_input_tokens: cache1h },
    output_tokens: output,
    service_tier: 'standard',
  }
}

function contentBlocks(reply: Reply, ctx: RenderContext): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = []
  if (reply.text !== undefined) blocks.push({ type: 'text', text: reply.text })
  if (reply.toolCall) {
    blocks.push({
      type: 'tool_use',
      id: ctx.id('toolu_fake_'),
      name: reply.toolCall.name,
      input: reply.toolCall.arguments,
    })
  }
  return blocks
}

function message(reply: Reply, content: unknown[], usage: unknown, ctx: RenderContext, done: boolean) {
  return {
    id: ctx.id('msg_fake_'),
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content,
    stop_reason: done ? (reply.toolCall ? 'tool_use' : 'end_turn') : null,
    stop_sequence: null,
    usage,
  }
}

/** The non-streamed `message` body. */
export function anthropicMessage(reply: Reply, usage: AnthropicUsage, ctx: RenderContext): unknown {
  return message(reply, contentBlocks(reply, ctx), usage, ctx, true)
}

/** The streamed events. */
export function anthropicEvents(reply: Reply, usage: AnthropicUsage, ctx: RenderContext): SseEvent[] {
  const events: SseEvent[] = []
  const emit = (type: string, fields: Record<string, unknown>) =>
    events.push({ event: type, data: { type, ...fields } })
  // message_start carries the input side; the API reports a token or so of output there, the rest at the end.
  emit('message_start', { message: message(reply, [], { ...usage, output_tokens: 1 }, ctx, false) })
  contentBlocks(reply, ctx).forEach((block, index) => {
    if (block.type === 'text') {
      emit('content_block_start', { index, content_block: { type: 'text', text: '' } })
      if (index === 0) emit('ping', {})
      for (const text of textDeltas(String(block.text))) {
        emit('content_block_delta', { index, delta: { type: 'text_delta', text } })
      }
    } else {
      emit('content_block_start', { index, content_block: { ...block, input: {} } })
      const json = JSON.stringify(block.input)
      const half = Math.ceil(json.length / 2)
      emit('content_block_delta', {
        index,
        delta: { type: 'input_json_delta', partial_json: json.slice(0, half) },
      })
      emit('content_block_delta', {
        index,
        delta: { type: 'input_json_delta', partial_json: json.slice(half) },
      })
    }
    emit('content_block_stop', { index })
  })
  const { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, output_tokens } = usage
  emit('message_delta', {
    delta: { stop_reason: reply.toolCall ? 'tool_use' : 'end_turn', stop_sequence: null },
    usage: { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, output_tokens },
  })
  emit('message_stop', {})
  return events
}

/** The tool results in a request: `tool_result` blocks of user messages. */
export function anthropicToolResults(body: unknown): ToolResult[] {
  return asArray(asRecord(body)?.messages)
    .map(asRecord)
    .filter((m) => m?.role === 'user')
    .flatMap((m) => asArray(m?.content).map(asRecord))
    .filter((block) => block?.type === 'tool_result')
    .map((block) => ({
      id: String(block?.tool_use_id),
      output: contentText(block?.content ?? ''),
      isError: block?.is_error === true,
    }))
}
