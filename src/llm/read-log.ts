import type { LogRecordRow } from '../collector/otlp-decode.js'
import type { AttributeValue } from '../collector/span-record.js'
import { type LlmCall, noTokens } from './llm-call.js'
import { normalizeProvider } from './providers.js'

/**
 * Log events into LLM calls and tool decisions. The coding agents report their model calls as OTLP log
 * events, each in its own vocabulary; these pure functions read them (as the collector stores them,
 * `LogRecordRow`) into goblin's one model of a call (`llm-call.ts`) and into tool decisions for the audit
 * log. Every token count is read defensively: the sender is not trusted to send numbers.
 *
 * | event                                         | sender      | input counts the cache? |
 * | --------------------------------------------- | ----------- | ----------------------- |
 * | `claude_code.api_request`                     | Claude Code | no (Anthropic's usage)  |
 * | `codex.sse_event`, kind `response.completed`  | Codex CLI   | yes (OpenAI's usage)    |
 * | `gemini_cli.api_response`                     | Gemini CLI  | yes (Gemini's usage)    |
 * | `gen_ai.client.inference.operation.details`   | GenAI semconv | yes                   |
 */

/** The shape read: a stored log row (only what the readers look at). */
export type LogEvent = Pick<
  LogRecordRow,
  'attributes' | 'resource' | 'body' | 'serviceName' | 'traceId' | 'eventName'
>

/**
 * The event's name: the LogRecord's `eventName`, else its `event.name` attribute. Two senders bend this:
 * Codex sets `eventName` to its Rust tracing label (`event otel/src/...rs:837`, not a name: it holds a
 * space) and the real name in `event.name`; Claude Code sets `event.name` to the bare name (`api_request`)
 * and the full one (`claude_code.api_request`) as the body, which then wins.
 */
export function logEventName(row: LogEvent): string | null {
  const own = row.eventName && !/\s/.test(row.eventName) ? row.eventName : null
  const attr = text(row.attributes['event.name'])
  const name = own ?? attr
  if (!name) return null
  if (!name.includes('.') && typeof row.body === 'string' && row.body.endsWith(`.${name}`)) return row.body
  return name
}

export const CLAUDE_API_REQUEST = 'claude_code.api_request'
export const CODEX_SSE_EVENT = 'codex.sse_event'
export const GEMINI_API_RESPONSE = 'gemini_cli.api_response'
export const GENAI_DETAILS = 'gen_ai.client.inference.operation.details'

/** The LLM call a log event reports, or null when the event is not one (or repeats one read elsewhere). */
export function readLogCall(row: LogEvent): LlmCall | null {
  switch (logEventName(row)) {
    case CLAUDE_API_REQUEST:
      return readClaudeApiRequest(row)
    case CODEX_SSE_EVENT:
      return readCodexCompleted(row)
    case GEMINI_API_RESPONSE:
      return readGeminiApiResponse(row)
    case GENAI_DETAILS:
      return readGenAiDetails(row)
    default:
      return null
  }
}

/**
 * Claude Code's `api_request`: Anthropic's usage, where `input_tokens` leaves out the cache, so the call's
 * input is the sum of the three. `cost_usd` is Claude Code's own estimate and becomes the call's own cost.
 * Cache writes are split by TTL when Claude Code says so (`cache_creation_5m_tokens`, `_1h_`); the rest of
 * `cache_creation_tokens` is priced at the 5-minute rate, Anthropic's default TTL.
 */
function readClaudeApiRequest(row: LogEvent): LlmCall {
  const a = row.attributes
  const fresh = count(a.input_tokens)
  const cacheRead = count(a.cache_read_tokens)
  const cacheWrite = count(a.cache_creation_tokens)
  const write1h = Math.min(count(a.cache_creation_1h_tokens) ?? 0, cacheWrite ?? 0)
  const output = count(a.output_tokens)
  const tokens = noTokens()
  tokens.cacheRead = cacheRead ?? 0
  tokens.cacheWrite1h = write1h
  tokens.cacheWrite5m = (cacheWrite ?? 0) - write1h
  tokens.input = (fresh ?? 0) + tokens.cacheRead + (cacheWrite ?? 0)
  tokens.output = output ?? 0
  return call(row, {
    model: text(a.model),
    provider: claudeProvider(text(a['anthropic.provider'])),
    tokens,
    metered: [fresh, cacheRead, cacheWrite, output].some((n) => n !== null),
    ownCostUsd: usd(a.cost_usd),
    session: text(a['session.id']),
    convention: 'claude-code',
  })
}

/** Where Claude Code sent the call (`anthropic.provider`), as the price book names providers. */
function claudeProvider(name: string | null): string {
  switch (name) {
    case null:
    case 'firstParty':
    case 'anthropicAws':
      return 'anthropic'
    case 'vertex':
      return 'vertex_ai'
    case 'foundry':
      return 'azure_ai'
    default:
      return normalizeProvider(name) ?? 'anthropic'
  }
}

/**
 * Codex's `sse_event` of a completed response. Codex writes two records per `response.completed`: one
 * without usage (every SSE event gets one) and one with the token counts; only the second is the call.
 * OpenAI's usage counts cached tokens inside `input_token_count` and reasoning inside `output_token_count`.
 * (Codex's `tool_token_count` is the response's total, not tool tokens: it is not read.)
 */
function readCodexCompleted(row: LogEvent): LlmCall | null {
  const a = row.attributes
  if (text(a['event.kind']) !== 'response.completed') return null
  const input = count(a.input_token_count)
  const output = count(a.output_token_count)
  if (input === null && output === null) return null
  const tokens = noTokens()
  tokens.input = input ?? 0
  tokens.cacheRead = Math.min(count(a.cached_token_count) ?? 0, tokens.input)
  tokens.cacheWrite5m = Math.min(count(a.cache_write_token_count) ?? 0, tokens.input - tokens.cacheRead)
  tokens.output = output ?? 0
  tokens.reasoning = Math.min(count(a.reasoning_token_count) ?? 0, tokens.output)
  return call(row, {
    model: text(a.model) ?? text(a.slug),
    provider: 'openai',
    tokens,
    metered: true,
    ownCostUsd: null,
    session: text(a['conversation.id']),
    convention: 'codex',
  })
}

/**
 * Gemini CLI's `api_response`: Gemini's usage metadata, where the prompt count includes the cached tokens,
 * thoughts are counted apart from the candidates (output = candidates + thoughts), and tool-use prompt
 * tokens apart from the prompt (input = prompt + tool use).
 */
function readGeminiApiResponse(row: LogEvent): LlmCall {
  const a = row.attributes
  const prompt = count(a.input_token_count)
  const toolUse = count(a.tool_token_count)
  const candidates = count(a.output_token_count)
  const thoughts = count(a.thoughts_token_count)
  const tokens = noTokens()
  tokens.input = (prompt ?? 0) + (toolUse ?? 0)
  tokens.cacheRead = Math.min(count(a.cached_content_token_count) ?? 0, tokens.input)
  tokens.reasoning = thoughts ?? 0
  tokens.output = (candidates ?? 0) + tokens.reasoning
  return call(row, {
    model: text(a.model),
    provider: text(a.auth_type) === 'vertex-ai' ? 'vertex_ai' : 'gemini',
    tokens,
    metered: [prompt, toolUse, candidates, thoughts].some((n) => n !== null),
    ownCostUsd: null,
    session: text(a['session.id']),
    convention: 'gemini-cli',
  })
}

/**
 * The OpenTelemetry GenAI event for one inference. Gemini CLI sends it besides its own `api_response` for
 * the same call, with fewer counts (no cache, no thoughts): from Gemini CLI it is not read again. An event
 * that only describes the request (no usage, no response model) is not a call either; one with a response
 * but no usage is an unmetered call.
 */
function readGenAiDetails(row: LogEvent): LlmCall | null {
  if (row.serviceName === 'gemini-cli') return null
  const a = row.attributes
  const input = count(a['gen_ai.usage.input_tokens'])
  const output = count(a['gen_ai.usage.output_tokens'])
  const responseModel = text(a['gen_ai.response.model'])
  if (input === null && output === null && responseModel === null) return null
  const tokens = noTokens()
  tokens.input = input ?? 0
  tokens.cacheRead = Math.min(count(a['gen_ai.usage.cache_read.input_tokens']) ?? 0, tokens.input)
  tokens.cacheWrite5m = Math.min(
    count(a['gen_ai.usage.cache_creation.input_tokens']) ?? 0,
    tokens.input - tokens.cacheRead,
  )
  tokens.output = output ?? 0
  tokens.reasoning = Math.min(count(a['gen_ai.usage.reasoning.output_tokens']) ?? 0, tokens.output)
  return call(row, {
    model: responseModel ?? text(a['gen_ai.request.model']),
    provider: normalizeProvider(text(a['gen_ai.provider.name']) ?? text(a['gen_ai.system'])),
    tokens,
    metered: input !== null || output !== null,
    ownCostUsd: null,
    session: text(a['gen_ai.conversation.id']) ?? text(a['session.id']),
    convention: 'gen_ai',
  })
}

type CallFields = Pick<
  LlmCall,
  'model' | 'provider' | 'tokens' | 'metered' | 'ownCostUsd' | 'session' | 'convention'
>

function call(row: LogEvent, fields: CallFields): LlmCall {
  return {
    ...fields,
    goblin: goblinOf(row),
    task: text(row.resource['task.id']) ?? text(row.attributes['task.id']),
    service: row.serviceName,
  }
}

/** `goblin.id` as `goblin agent run` sets it: a resource attribute (an event attribute is read too). */
function goblinOf(row: LogEvent): string | null {
  return text(row.resource['goblin.id']) ?? text(row.attributes['goblin.id'])
}

/** What an agent's tool decision says, for the audit log. */
export interface ToolDecision {
  /** The tool as the agent names it (`Bash`, `exec_command`, `run_shell_command`, an MCP tool, ...). */
  tool: string
  decision: 'accept' | 'reject'
  /** Who decided: `config` (rules, allow lists, approval mode), `hook`, `user`; null when the agent does not say. */
  source: string | null
  /** The agent's own words for decision and source, when they say more than accept/reject (`user_permanent`). */
  raw: { decision: string; source: string | null }
  agent: 'claude-code' | 'codex' | 'gemini-cli'
  session: string | null
  prompt: string | null
  /** The agent's id of the tool call (`tool_use_id`, `call_id`), when it gives one. */
  callId: string | null
  goblin: string | null
  task: string | null
  traceId: string | null
  /** The agent's own time of the decision (`event.timestamp`), as it wrote it. */
  at: string | null
}

export const CLAUDE_TOOL_DECISION = 'claude_code.tool_decision'
export const CODEX_TOOL_DECISION = 'codex.tool_decision'
export const GEMINI_TOOL_CALL = 'gemini_cli.tool_call'

/**
 * The tool decision a log event reports, or null. Claude Code: `tool_decision` (`accept`/`reject`; source
 * `config`, `hook`, `user_temporary`, `user_permanent`, `user_reject`, `user_abort`). Codex: `tool_decision`
 * (`approved`, `approved_for_session`, `denied`, `abort`; source `Config`, `User`). Gemini CLI has no
 * decision event: its `tool_call` carries the decision (`accept`, `auto_accept`, `modify`, `reject`) but
 * not who made it.
 */
export function readToolDecision(row: LogEvent): ToolDecision | null {
  const a = row.attributes
  const name = logEventName(row)
  if (name === CLAUDE_TOOL_DECISION)
    return decision(row, 'claude-code', text(a.tool_name), text(a.decision), text(a.source), {
      session: text(a['session.id']),
      prompt: text(a['prompt.id']),
      callId: text(a.tool_use_id),
    })
  if (name === CODEX_TOOL_DECISION)
    return decision(row, 'codex', text(a.tool_name), text(a.decision), text(a.source), {
      session: text(a['conversation.id']),
      prompt: null,
      callId: text(a.call_id),
    })
  if (name === GEMINI_TOOL_CALL)
    return decision(row, 'gemini-cli', text(a.function_name), text(a.decision), null, {
      session: text(a['session.id']),
      prompt: text(a.prompt_id),
      callId: null,
    })
  return null
}

const ACCEPTS = new Set(['accept', 'auto_accept', 'modify', 'approved', 'approved_for_session'])
const REJECTS = new Set(['reject', 'denied', 'abort'])

function decision(
  row: LogEvent,
  agent: ToolDecision['agent'],
  tool: string | null,
  said: string | null,
  source: string | null,
  ids: Pick<ToolDecision, 'session' | 'prompt' | 'callId'>,
): ToolDecision | null {
  if (!tool || !said) return null
  const lower = said.toLowerCase()
  const verdict = ACCEPTS.has(lower) ? 'accept' : REJECTS.has(lower) ? 'reject' : null
  // A decision goblin cannot read is not guessed either way: it is left out (and stays in the stored log).
  if (!verdict) return null
  return {
    tool,
    decision: verdict,
    source: decisionSource(source),
    raw: { decision: said, source },
    agent,
    ...ids,
    goblin: goblinOf(row),
    task: text(row.resource['task.id']) ?? text(row.attributes['task.id']),
    traceId: row.traceId,
    at: text(row.attributes['event.timestamp']),
  }
}

function decisionSource(source: string | null): string | null {
  if (!source) return null
  const lower = source.toLowerCase()
  return lower.startsWith('user') ? 'user' : lower
}

/** A non-empty string attribute, else null. */
function text(value: AttributeValue | undefined): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null
}

/**
 * A token count: a non-negative safe integer, as a number or a decimal string (Codex sends strings,
 * int64 attributes beyond 2^53 arrive as strings). Anything else is no count at all, never a guess.
 */
function count(value: AttributeValue | undefined): number | null {
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : null
}

/** A USD amount the sender reported: finite and not negative, else none. */
function usd(value: AttributeValue | undefined): number | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : null
}
