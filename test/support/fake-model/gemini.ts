import {
  asArray,
  asRecord,
  type RenderContext,
  type Reply,
  type SseEvent,
  type ToolResult,
  textDeltas,
} from './reply.js'

/**
 * Gemini (`POST /v1beta/models/{model}:generateContent`, `:streamGenerateContent?alt=sse`, `:countTokens`),
 * as the API reference documents it: a `GenerateContentResponse` with `candidates` and `usageMetadata`
 * (`promptTokenCount` includes `cachedContentTokenCount`; `thoughtsTokenCount` is not part of
 * `candidatesTokenCount`; `totalTokenCount` adds them all). Streamed, each SSE `data:` is one
 * GenerateContentResponse; like the API, every chunk carries `usageMetadata` with the prompt side and the
 * last one the complete counts.
 */
export interface GeminiUsage {
  promptTokenCount: number
  cachedContentTokenCount: number
  candidatesTokenCount: number
  thoughtsTokenCount: number
  totalTokenCount: number
  promptTokensDetails: { modality: 'TEXT'; tokenCount: number }[]
}

/** The usage answered for every Gemini call unless a test sets its own. */
export function geminiUsage(prompt = 500, cached = 200, candidates = 30, thoughts = 15): GeminiUsage {
  return {
    promptTokenCount: prompt,
    cachedContentTokenCount: cached,
    candidatesTokenCount: candidates,
    thoughtsTokenCount: thoughts,
    totalTokenCount: prompt + candidates + thoughts,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
  }
}

function response(
  parts: unknown[],
  usageMetadata: unknown,
  finished: boolean,
  responseId: string,
  ctx: RenderContext,
) {
  return {
    candidates: [
      { content: { role: 'model', parts }, ...(finished ? { finishReason: 'STOP' } : {}), index: 0 },
    ],
    usageMetadata,
    modelVersion: ctx.model,
    responseId,
  }
}

function parts(reply: Reply): unknown[] {
  return [
    ...(reply.text !== undefined ? [{ text: reply.text }] : []),
    ...(reply.toolCall
      ? [{ functionCall: { name: reply.toolCall.name, args: reply.toolCall.arguments } }]
      : []),
  ]
}

/** The non-streamed `GenerateContentResponse`. */
export function geminiResponse(reply: Reply, usage: GeminiUsage, ctx: RenderContext): unknown {
  return response(parts(reply), usage, true, ctx.id('resp_fake_'), ctx)
}

/** The streamed chunks: the text word by word, then any function call with the final usage. */
export function geminiChunks(reply: Reply, usage: GeminiUsage, ctx: RenderContext): SseEvent[] {
  const responseId = ctx.id('resp_fake_')
  const promptSide = {
    promptTokenCount: usage.promptTokenCount,
    cachedContentTokenCount: usage.cachedContentTokenCount,
    totalTokenCount: usage.promptTokenCount,
    promptTokensDetails: usage.promptTokensDetails,
  }
  const chunkParts: unknown[][] = (reply.text ? textDeltas(reply.text) : []).map((text) => [{ text }])
  if (reply.toolCall) chunkParts.push(parts({ toolCall: reply.toolCall }))
  if (chunkParts.length === 0) chunkParts.push([{ text: '' }])
  return chunkParts.map((p, i) => {
    const last = i === chunkParts.length - 1
    return { data: response(p, last ? usage : promptSide, last, responseId, ctx) }
  })
}

/** `:countTokens`: the prompt's token count, as fixed as the usage. */
export function geminiCountTokens(usage: GeminiUsage): unknown {
  return { totalTokens: usage.promptTokenCount, promptTokensDetails: usage.promptTokensDetails }
}

/** The tool results in a request: `functionResponse` parts, keyed by function name (Gemini has no call id). */
export function geminiToolResults(body: unknown): ToolResult[] {
  return asArray(asRecord(body)?.contents)
    .flatMap((content) => asArray(asRecord(content)?.parts).map(asRecord))
    .map((part) => asRecord(part?.functionResponse))
    .filter((fr) => fr !== undefined)
    .map((fr) => ({ id: String(fr.id ?? fr.name), output: JSON.stringify(fr.response ?? null) }))
}
