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
 * OpenAI Responses (`POST /v1/responses`), as the API reference documents it: a `response` object, or with
 * `stream: true` the typed events `response.created`, `response.in_progress`, `response.output_item.added`,
 * `response.content_part.added`, `response.output_text.delta` ..., `response.function_call_arguments.*`,
 * `response.output_item.done` and `response.completed`, whose response carries the usage. Every event has a
 * `sequence_number`; the SSE `event:` line repeats its `type`.
 */
export interface ResponsesUsage {
  input_tokens: number
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number }
  output_tokens: number
  output_tokens_details: { reasoning_tokens: number }
  total_tokens: number
}

/** The usage answered for every Responses call unless a test sets its own. */
export function responsesUsage(input = 300, cached = 100, output = 40, reasoning = 10): ResponsesUsage {
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: cached, cache_write_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: input + output,
  }
}

type OutputItem = Record<string, unknown> & { id: string; type: string }

function outputItems(reply: Reply, ctx: RenderContext): OutputItem[] {
  const items: OutputItem[] = []
  if (reply.text !== undefined) {
    items.push({
      id: ctx.id('msg_fake_'),
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: reply.text, annotations: [], logprobs: [] }],
    })
  }
  if (reply.toolCall) {
    items.push({
      id: ctx.id('fc_fake_'),
      type: 'function_call',
      status: 'completed',
      call_id: ctx.id('call_fake_'),
      name: reply.toolCall.name,
      arguments: JSON.stringify(reply.toolCall.arguments),
    })
  }
  return items
}

function responseObject(
  id: string,
  request: Record<string, unknown>,
  ctx: RenderContext,
  status: 'in_progress' | 'completed',
  output: OutputItem[],
  usage: ResponsesUsage | null,
): Record<string, unknown> {
  return {
    id,
    object: 'response',
    created_at: ctx.created,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    metadata: {},
    model: ctx.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: request.store ?? true,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: asArray(request.tools),
    top_p: 1,
    truncation: 'disabled',
    usage,
    user: null,
  }
}

/** The non-streamed `response` body. */
export function responsesResponse(
  request: unknown,
  reply: Reply,
  usage: ResponsesUsage,
  ctx: RenderContext,
): unknown {
  return responseObject(
    ctx.id('resp_fake_'),
    asRecord(request) ?? {},
    ctx,
    'completed',
    outputItems(reply, ctx),
    usage,
  )
}

/** The streamed events. */
export function responsesEvents(
  request: unknown,
  reply: Reply,
  usage: ResponsesUsage,
  ctx: RenderContext,
): SseEvent[] {
  const body = asRecord(request) ?? {}
  const id = ctx.id('resp_fake_')
  const items = outputItems(reply, ctx)
  const events: SseEvent[] = []
  const emit = (type: string, fields: Record<string, unknown>) =>
    events.push({ event: type, data: { type, sequence_number: events.length, ...fields } })

  emit('response.created', { response: responseObject(id, body, ctx, 'in_progress', [], null) })
  emit('response.in_progress', { response: responseObject(id, body, ctx, 'in_progress', [], null) })
  items.forEach((item, output_index) => {
    if (item.type === 'message') {
      const text = String(asRecord(asArray(item.content)[0])?.text)
      emit('response.output_item.added', {
        output_index,
        item: { ...item, status: 'in_progress', content: [] },
      })
      const part = { type: 'output_text', text: '', annotations: [], logprobs: [] }
      emit('response.content_part.added', { item_id: item.id, output_index, content_index: 0, part })
      for (const delta of textDeltas(text)) {
        emit('response.output_text.delta', {
          item_id: item.id,
          output_index,
          content_index: 0,
          delta,
          logprobs: [],
        })
      }
      emit('response.output_text.done', {
        item_id: item.id,
        output_index,
        content_index: 0,
        text,
        logprobs: [],
      })
      emit('response.content_part.done', {
        item_id: item.id,
        output_index,
        content_index: 0,
        part: { ...part, text },
      })
    } else {
      const args = String(item.arguments)
      emit('response.output_item.added', {
        output_index,
        item: { ...item, status: 'in_progress', arguments: '' },
      })
      emit('response.function_call_arguments.delta', { item_id: item.id, output_index, delta: args })
      emit('response.function_call_arguments.done', {
        item_id: item.id,
        output_index,
        name: item.name,
        arguments: args,
      })
    }
    emit('response.output_item.done', { output_index, item })
  })
  emit('response.completed', { response: responseObject(id, body, ctx, 'completed', items, usage) })
  return events
}

/** The tool results in a request: `function_call_output` input items. */
export function responsesToolResults(body: unknown): ToolResult[] {
  return asArray(asRecord(body)?.input)
    .map(asRecord)
    .filter((item) => item?.type === 'function_call_output')
    .map((item) => ({ id: String(item?.call_id), output: contentText(item?.output) }))
}
