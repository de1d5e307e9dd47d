import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { closeServer, listenOnLoopback } from '../helpers/loopback.js'

/**
 * A fake model server for the coding agents' e2e tests: a real HTTP server on 127.0.0.1 that answers the
 * three APIs the agents stream from, in their own wire formats, with fixed usage per response:
 *
 * - Anthropic Messages, SSE (`POST /v1/messages`, Claude Code), and `count_tokens`;
 * - OpenAI Responses, SSE (`POST /v1/responses`, Codex CLI);
 * - Gemini `:streamGenerateContent?alt=sse` and `:generateContent` (Gemini CLI).
 *
 * Every agent is driven through one shell tool call: while the conversation holds no tool result, a request
 * that offers the agent's shell tool is answered with a call of it running `command`; after that, with text.
 * Requests are recorded, so a test can tell whether a tool result came back (a denied tool has none, or an
 * error).
 */

/** Anthropic's usage per response: input excludes the cache, as Anthropic counts it. */
export const ANTHROPIC_USAGE = {
  input_tokens: 100,
  cache_read_input_tokens: 200,
  cache_creation_input_tokens: 50,
  cache_creation: { ephemeral_5m_input_tokens: 30, ephemeral_1h_input_tokens: 20 },
  output_tokens: 20,
}

/** OpenAI Responses usage per response: cached tokens are part of input, reasoning of output. */
export const OPENAI_USAGE = {
  input_tokens: 300,
  input_tokens_details: { cached_tokens: 100 },
  output_tokens: 40,
  output_tokens_details: { reasoning_tokens: 10 },
  total_tokens: 340,
}

/** Gemini usage metadata per response: cached is part of the prompt, thoughts are not part of candidates. */
export const GEMINI_USAGE = {
  promptTokenCount: 500,
  candidatesTokenCount: 30,
  cachedContentTokenCount: 200,
  thoughtsTokenCount: 15,
  totalTokenCount: 545,
}

export interface RecordedRequest {
  method: string
  path: string
  body: unknown
}

export interface FakeAgentBackends {
  /** `http://127.0.0.1:PORT`: Claude Code's ANTHROPIC_BASE_URL, Gemini CLI's GOOGLE_GEMINI_BASE_URL. */
  url: string
  requests: RecordedRequest[]
  close(): Promise<void>
}

/** Starts the server; every agent that offers its shell tool is asked to run `command` once. */
export async function startFakeAgentBackends(options: { command: string }): Promise<FakeAgentBackends> {
  const requests: RecordedRequest[] = []
  const server = createServer(async (req, res) => {
    const text = await readBody(req)
    let body: unknown = null
    try {
      body = text ? JSON.parse(text) : null
    } catch {
      json(res, 400, { error: { message: 'body is not JSON' } })
      return
    }
    const path = req.url ?? '/'
    requests.push({ method: req.method ?? 'GET', path, body })
    route(path, body as Json, options.command, res)
  })
  const url = await listenOnLoopback(server)
  return { url, requests, close: () => closeServer(server) }
}

// biome-ignore lint/suspicious/noExplicitAny: request bodies are untyped JSON, read field by field
type Json = Record<string, any>

function route(path: string, body: Json, command: string, res: ServerResponse): void {
  const gemini = /^\/v1beta\/models\/([^:/]+):(streamGenerateContent|generateContent)/.exec(path)
  if (path.startsWith('/v1/messages/count_tokens')) json(res, 200, { input_tokens: 100 })
  else if (path.startsWith('/v1/messages')) anthropicMessages(body, command, res)
  else if (path.startsWith('/v1/responses')) openAiResponses(body, command, res)
  else if (gemini)
    geminiGenerate(gemini[1] as string, gemini[2] === 'streamGenerateContent', body, command, res)
  // Claude Code's start-up probe (`HEAD /api/hello`) and anything else: answered, and empty.
  else json(res, path.startsWith('/api/') ? 200 : 404, {})
}

/** Claude Code's shell tool is `Bash`; its result comes back as a `tool_result` block. */
function anthropicMessages(body: Json, command: string, res: ServerResponse): void {
  const offered = (body.tools ?? []).some((t: Json) => t.name === 'Bash')
  const answered = (body.messages ?? []).some(
    (m: Json) => Array.isArray(m.content) && m.content.some((c: Json) => c.type === 'tool_result'),
  )
  const tool = offered && !answered
  const block = tool
    ? { type: 'tool_use', id: 'toolu_fake_1', name: 'Bash', input: {} }
    : { type: 'text', text: '' }
  const delta = tool
    ? { type: 'input_json_delta', partial_json: JSON.stringify({ command, description: 'run it' }) }
    : { type: 'text_delta', text: 'done' }
  const { output_tokens, ...startUsage } = ANTHROPIC_USAGE
  sse(res, [
    [
      'message_start',
      {
        type: 'message_start',
        message: {
          id: 'msg_fake',
          type: 'message',
          role: 'assistant',
          model: body.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...startUsage, output_tokens: 1 },
        },
      },
    ],
    ['content_block_start', { type: 'content_block_start', index: 0, content_block: block }],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta }],
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    [
      'message_delta',
      {
        type: 'message_delta',
        delta: { stop_reason: tool ? 'tool_use' : 'end_turn', stop_sequence: null },
        usage: { output_tokens },
      },
    ],
    ['message_stop', { type: 'message_stop' }],
  ])
}

/** Codex's shell tool is the function `exec_command` (`{cmd}`); its result comes back as `function_call_output`. */
function openAiResponses(body: Json, command: string, res: ServerResponse): void {
  const offered = (body.tools ?? []).some((t: Json) => t.name === 'exec_command')
  const answered = (body.input ?? []).some((i: Json) => i.type === 'function_call_output')
  const item =
    offered && !answered
      ? {
          type: 'function_call',
          id: 'fc_fake_1',
          call_id: 'call_fake_1',
          name: 'exec_command',
          arguments: JSON.stringify({ cmd: command }),
          status: 'completed',
        }
      : {
          type: 'message',
          id: 'msg_fake_1',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: 'done', annotations: [] }],
        }
  const response = {
    id: 'resp_fake',
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: 'completed',
    model: body.model,
    output: [item],
    usage: OPENAI_USAGE,
  }
  sse(res, [
    [
      'response.created',
      {
        type: 'response.created',
        sequence_number: 0,
        response: { ...response, status: 'in_progress', output: [], usage: null },
      },
    ],
    [
      'response.output_item.done',
      { type: 'response.output_item.done', sequence_number: 1, output_index: 0, item },
    ],
    ['response.completed', { type: 'response.completed', sequence_number: 2, response }],
  ])
}

/** Gemini CLI's shell tool is `run_shell_command`; its result comes back as a `functionResponse` part. */
function geminiGenerate(
  model: string,
  stream: boolean,
  body: Json,
  command: string,
  res: ServerResponse,
): void {
  const offered = (body.tools ?? []).some((t: Json) =>
    (t.functionDeclarations ?? []).some((f: Json) => f.name === 'run_shell_command'),
  )
  const answered = (body.contents ?? []).some((c: Json) =>
    (c.parts ?? []).some((p: Json) => p.functionResponse),
  )
  const parts =
    offered && !answered
      ? [{ functionCall: { name: 'run_shell_command', args: { command } } }]
      : [{ text: 'done' }]
  const chunk = {
    candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
    usageMetadata: GEMINI_USAGE,
    modelVersion: model,
  }
  if (stream) sse(res, [[null, chunk]])
  else json(res, 200, chunk)
}

function sse(res: ServerResponse, events: Array<[string | null, unknown]>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  for (const [name, data] of events)
    res.write(`${name ? `event: ${name}\n` : ''}data: ${JSON.stringify(data)}\n\n`)
  res.end()
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
