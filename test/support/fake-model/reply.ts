/**
 * What the fake model server answers, independent of any API's wire format: a reply is text, a tool call,
 * or text followed by a tool call. Each API module renders it in its own JSON and SSE shapes.
 */
export interface ToolCall {
  /** The tool's name as the client declared it (`Bash`, `exec_command`, `run_shell_command`, ...). */
  name: string
  /** The arguments the model passes, e.g. `{ command: 'echo hi' }`. */
  arguments: Record<string, unknown>
}

export interface Reply {
  text?: string
  toolCall?: ToolCall
}

/** A tool's result as the client sent it back in a later request. */
export interface ToolResult {
  /** The id the client echoed (call id, tool_use id), or the function's name for Gemini, which has no id. */
  id: string
  /** The result's text: the tool's output, or the client's refusal. */
  output: string
  /** Anthropic's `is_error` flag, where the API has one. */
  isError?: boolean
}

/** One server-sent event: an optional `event:` name and its JSON `data:`. */
export interface SseEvent {
  event?: string
  data: unknown
}

/** What each renderer needs besides the reply: the model to name and ids unique within the server. */
export interface RenderContext {
  model: string
  /** A fresh id with the given prefix, unique within this server (`msg_fake_3`). */
  id(prefix: string): string
  /** The server's clock in seconds, fixed per response. */
  created: number
}

/** Splits text into the deltas a streamed reply sends: one per word, spaces kept, so they join back exactly. */
export function textDeltas(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? [text]
}

/** Plain object or undefined: the request bodies are client-controlled JSON. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

/** Array or empty. */
export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}

/** A tool result's content as text: a string as is, content blocks by their `text`, anything else as JSON. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content))
    return content.map((block) => contentText(asRecord(block)?.text ?? block)).join('')
  return JSON.stringify(content ?? null)
}
