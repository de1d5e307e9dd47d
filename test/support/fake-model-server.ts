import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import { closeServer, listenOnLoopback } from '../helpers/loopback.js'
import {
  type AnthropicUsage,
  anthropicEvents,
  anthropicMessage,
  anthropicToolResults,
  anthropicUsage,
} from './fake-model/anthropic.js'
import {
  type GeminiUsage,
  geminiChunks,
  geminiCountTokens,
  geminiResponse,
  geminiToolResults,
  geminiUsage,
} from './fake-model/gemini.js'
import {
  type ChatUsage,
  chatCompletion,
  chatCompletionChunks,
  chatToolResults,
  chatUsage,
} from './fake-model/openai-chat.js'
import {
  type ResponsesUsage,
  responsesEvents,
  responsesResponse,
  responsesToolResults,
  responsesUsage,
} from './fake-model/openai-responses.js'
import {
  asRecord,
  type RenderContext,
  type Reply,
  type SseEvent,
  type ToolResult,
} from './fake-model/reply.js'

export type { Reply, ToolCall, ToolResult } from './fake-model/reply.js'

/**
 * A fake model server for tests: a real HTTP server on 127.0.0.1 that answers the four model APIs real
 * clients call (OpenAI Chat Completions and Responses, Anthropic Messages, Gemini generateContent), JSON and
 * SSE, in their documented wire formats, with a fixed, known usage per response (`server.usage`) that tests
 * multiply by a price. The replies are scripted per API (text, or a tool call and then text, to drive a
 * coding agent through one tool use); every request is recorded with its parsed body (`server.requests`), so
 * a test can read what the client sent back (`server.toolResults()`) and assert that a denied tool never ran.
 *
 * Routes: `POST /v1/chat/completions`, `POST /v1/responses`, `POST /v1/messages` (any query, e.g.
 * `?beta=true`), `POST /v1/messages/count_tokens`, `POST /v1beta/models/{model}:generateContent`,
 * `:streamGenerateContent` (SSE with `alt=sse`, else a JSON array), `:countTokens`, and `HEAD|GET /api/hello`
 * (Claude Code's start-up check). Anything else is answered 404 and still recorded.
 */
export type ModelApi = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini'

export interface FakeUsage {
  'openai-chat': ChatUsage
  'openai-responses': ResponsesUsage
  anthropic: AnthropicUsage
  gemini: GeminiUsage
}

export interface ModelRequest {
  /** The API the path belongs to; null for a path the server does not serve. */
  api: ModelApi | null
  method: string
  /** The path without the query. */
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown
  /** True for a generation call (not count_tokens or a start-up check). */
  generation: boolean
  stream: boolean
  /** The model the client asked for (from the body, or from the path for Gemini). */
  model?: string
  /** What the server answered a generation call with. */
  reply?: Reply
}

/** A reply that is an API error instead of a completion, in that API's error format. */
export interface ErrorReply {
  error: { status: number; message: string }
}

/** A scripted reply; with `when`, it is used only by a request it accepts (others skip past it). */
export type ScriptedReply = (Reply | ErrorReply) & { when?: (request: ModelRequest) => boolean }

export interface FakeModelServerOptions {
  /** Overrides of the fixed usage, per API. */
  usage?: Partial<FakeUsage>
  /** The model name the responses carry, from the one requested (default: the same name). */
  servedModel?: (requested: string, api: ModelApi) => string
}

/** The usage every response carries unless a test sets its own. */
export function defaultUsage(): FakeUsage {
  return {
    'openai-chat': chatUsage(),
    'openai-responses': responsesUsage(),
    anthropic: anthropicUsage(),
    gemini: geminiUsage(),
  }
}

export const DEFAULT_REPLY: Reply = { text: 'Hello from the fake model server.' }

export class FakeModelServer {
  /** Base URL, `http://127.0.0.1:PORT` (OpenAI clients want `${url}/v1`). */
  url = ''
  readonly usage: FakeUsage
  readonly requests: ModelRequest[] = []
  /** Answered when an API's script is empty. */
  defaultReply: Reply = DEFAULT_REPLY
  private readonly scripts = new Map<ModelApi, ScriptedReply[]>()
  private readonly server = createServer((req, res) => this.handle(req, res))
  private ids = 0

  private constructor(private readonly options: FakeModelServerOptions) {
    this.usage = { ...defaultUsage(), ...options.usage }
  }

  /** Starts a server on an ephemeral port of 127.0.0.1. */
  static async start(options: FakeModelServerOptions = {}): Promise<FakeModelServer> {
    const server = new FakeModelServer(options)
    server.url = await listenOnLoopback(server.server)
    return server
  }

  /** Queues replies for an API's next generation calls, in order. */
  script(api: ModelApi, ...replies: ScriptedReply[]): this {
    this.scripts.set(api, [...(this.scripts.get(api) ?? []), ...replies])
    return this
  }

  /** The generation calls received, optionally of one API. */
  calls(api?: ModelApi): ModelRequest[] {
    return this.requests.filter((r) => r.generation && (api === undefined || r.api === api))
  }

  /** Every tool result the clients sent back, in request order, deduplicated (a conversation repeats them). */
  toolResults(api?: ModelApi): ToolResult[] {
    const seen = new Map<string, ToolResult>()
    for (const request of this.calls(api)) {
      for (const result of TOOL_RESULTS[request.api as ModelApi](request.body)) seen.set(result.id, result)
    }
    return [...seen.values()]
  }

  async close(): Promise<void> {
    await closeServer(this.server)
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      const text = Buffer.concat(chunks).toString('utf8')
      let body: unknown = text
      try {
        body = text === '' ? undefined : JSON.parse(text)
      } catch {
        // Kept as text: recorded as sent, and a generation call answers it with a 400.
      }
      const request = this.route(req.method ?? 'GET', url, req.headers, body)
      this.requests.push(request)
      this.answer(request, res)
    })
  }

  private route(method: string, url: URL, headers: IncomingHttpHeaders, body: unknown): ModelRequest {
    const fields = asRecord(body)
    const base = { method, path: url.pathname, query: url.searchParams, headers, body, generation: false }
    const bodyModel = typeof fields?.model === 'string' ? fields.model : undefined
    const stream = fields?.stream === true
    if (method === 'POST' && url.pathname === '/v1/chat/completions') {
      return { ...base, api: 'openai-chat', generation: true, stream, model: bodyModel }
    }
    if (method === 'POST' && url.pathname === '/v1/responses') {
      return { ...base, api: 'openai-responses', generation: true, stream, model: bodyModel }
    }
    if (method === 'POST' && url.pathname === '/v1/messages') {
      return { ...base, api: 'anthropic', generation: true, stream, model: bodyModel }
    }
    if (method === 'POST' && url.pathname === '/v1/messages/count_tokens') {
      return { ...base, api: 'anthropic', stream: false, model: bodyModel }
    }
    const gemini =
      /^\/v1(?:beta|alpha)?\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/.exec(
        url.pathname,
      )
    if (method === 'POST' && gemini) {
      const [, model, verb] = gemini
      return {
        ...base,
        api: 'gemini',
        generation: verb !== 'countTokens',
        stream: verb === 'streamGenerateContent',
        model,
      }
    }
    return { ...base, api: null, stream: false }
  }

  private answer(request: ModelRequest, res: ServerResponse): void {
    if (request.path === '/api/hello' && (request.method === 'HEAD' || request.method === 'GET')) {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(request.method === 'GET' ? '{}' : undefined)
      return
    }
    const api = request.api
    if (api === null) {
      sendJson(res, 404, {
        error: { message: `the fake model server does not serve ${request.method} ${request.path}` },
      })
      return
    }
    if (asRecord(request.body) === undefined || request.model === undefined) {
      sendError(res, api, 400, 'the body must be a JSON object naming a model')
      return
    }
    const usage = this.usage
    if (!request.generation) {
      const count =
        api === 'gemini' ? geminiCountTokens(usage.gemini) : { input_tokens: usage.anthropic.input_tokens }
      sendJson(res, 200, count)
      return
    }
    const next = this.nextReply(api, request)
    if ('error' in next) {
      sendError(res, api, next.error.status, next.error.message)
      return
    }
    const { when: _when, ...reply } = next
    request.reply = reply
    const ctx: RenderContext = {
      model: this.options.servedModel?.(request.model, api) ?? request.model,
      id: (prefix) => `${prefix}${++this.ids}`,
      created: Math.floor(Date.now() / 1000),
    }
    const rendered = render(api, request, reply, usage, ctx)
    if ('sse' in rendered) sendSse(res, rendered.sse)
    else sendJson(res, 200, rendered.json)
  }

  private nextReply(api: ModelApi, request: ModelRequest): ScriptedReply {
    const queue = this.scripts.get(api) ?? []
    const index = queue.findIndex((reply) => reply.when === undefined || reply.when(request))
    if (index === -1) return this.defaultReply
    return queue.splice(index, 1)[0] as ScriptedReply
  }
}

const TOOL_RESULTS: Record<ModelApi, (body: unknown) => ToolResult[]> = {
  'openai-chat': chatToolResults,
  'openai-responses': responsesToolResults,
  anthropic: anthropicToolResults,
  gemini: geminiToolResults,
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

function sendSse(res: ServerResponse, events: SseEvent[]): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  })
  for (const { event, data } of events) {
    res.write(
      `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`,
    )
  }
  res.end()
}

/** The reply in the API's wire format: a JSON body or the events of a stream. */
function render(
  api: ModelApi,
  request: ModelRequest,
  reply: Reply,
  usage: FakeUsage,
  ctx: RenderContext,
): { json: unknown } | { sse: SseEvent[] } {
  switch (api) {
    case 'openai-chat': {
      if (!request.stream) return { json: chatCompletion(reply, usage[api], ctx) }
      const includeUsage = asRecord(asRecord(request.body)?.stream_options)?.include_usage === true
      return { sse: chatCompletionChunks(reply, usage[api], includeUsage, ctx) }
    }
    case 'openai-responses':
      if (!request.stream) return { json: responsesResponse(request.body, reply, usage[api], ctx) }
      return { sse: responsesEvents(request.body, reply, usage[api], ctx) }
    case 'anthropic':
      if (!request.stream) return { json: anthropicMessage(reply, usage[api], ctx) }
      return { sse: anthropicEvents(reply, usage[api], ctx) }
    case 'gemini': {
      if (!request.stream) return { json: geminiResponse(reply, usage[api], ctx) }
      const chunks = geminiChunks(reply, usage[api], ctx)
      // Without alt=sse the API streams one JSON array of the same responses.
      return request.query.get('alt') === 'sse'
        ? { sse: chunks }
        : { json: chunks.map((chunk) => chunk.data) }
    }
  }
}

/** An error in the API's own format, so each SDK raises its own error type. */
function sendError(res: ServerResponse, api: ModelApi, status: number, message: string): void {
  const body =
    api === 'anthropic'
      ? { type: 'error', error: { type: 'invalid_request_error', message } }
      : api === 'gemini'
        ? { error: { code: status, message, status: 'INVALID_ARGUMENT' } }
        : { error: { message, type: 'invalid_request_error', param: null, code: null } }
  sendJson(res, status, body)
}
