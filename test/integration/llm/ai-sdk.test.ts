import type { FakeUsage } from '../../support/fake-model-server.js'
import { describeLibrary, type LibraryCase } from './library-suite.js'
import { tokens, versionOf } from './llm-harness.js'

// The Vercel AI SDK (`ai` 7, @ai-sdk/openai, @ai-sdk/anthropic, @ai-sdk/google) traced by @ai-sdk/otel,
// with both of its integrations, and with the AI SDK's own mock model (from `ai/test`, no HTTP).
const ai = versionOf('ai')
const MOCK_MODEL = 'mock-model-id'

/** What both integrations report of the fake server's usage. */
function cases(u: FakeUsage, integration: 'otel' | 'legacy'): LibraryCase[] {
  const chat = u['openai-chat']
  const responses = u['openai-responses']
  const claude = u.anthropic
  const gemini = u.gemini
  // Legacy spans carry the AI SDK's `ai.usage.reasoningTokens`; the GenAI spans of `OpenTelemetry` carry none.
  const reasoning = (n: number) => (integration === 'legacy' ? n : 0)
  const chatCall = tokens({
    input: chat.prompt_tokens,
    cacheRead: chat.prompt_tokens_details.cached_tokens,
    output: chat.completion_tokens,
    reasoning: reasoning(chat.completion_tokens_details.reasoning_tokens),
  })
  const responsesCall = tokens({
    input: responses.input_tokens,
    cacheRead: responses.input_tokens_details.cached_tokens,
    output: responses.output_tokens,
    reasoning: reasoning(responses.output_tokens_details.reasoning_tokens),
  })
  // The AI SDK reports Anthropic's input with the cache included, and the cache write as one number: the
  // 1-hour part (cache_creation.ephemeral_1h_input_tokens) is not in the spans, so it is priced at 5 minutes.
  const claudeCall = tokens({
    input: claude.input_tokens + claude.cache_read_input_tokens + claude.cache_creation_input_tokens,
    cacheRead: claude.cache_read_input_tokens,
    cacheWrite5m: claude.cache_creation_input_tokens,
    output: claude.output_tokens,
  })
  const geminiCall = tokens({
    input: gemini.promptTokenCount,
    cacheRead: gemini.cachedContentTokenCount,
    output: gemini.candidatesTokenCount + gemini.thoughtsTokenCount,
    reasoning: reasoning(gemini.thoughtsTokenCount),
  })
  return [
    {
      name: 'openai-chat',
      title: 'Chat Completions, cache reads read',
      model: 'gpt-4o-mini',
      calls: [chatCall],
    },
    {
      name: 'openai-chat-stream',
      title: 'streamed Chat Completions',
      model: 'gpt-4o-mini',
      calls: [chatCall],
    },
    { name: 'openai-responses', title: 'Responses', model: 'gpt-4.1-mini', calls: [responsesCall] },
    {
      name: 'openai-responses-stream',
      title: 'streamed Responses',
      model: 'gpt-4.1-mini',
      calls: [responsesCall],
    },
    {
      name: 'anthropic',
      title: 'Messages: cache reads and writes, the 1-hour writes not told apart',
      model: 'claude-sonnet-4-5',
      calls: [claudeCall],
    },
    { name: 'anthropic-stream', title: 'streamed Messages', model: 'claude-sonnet-4-5', calls: [claudeCall] },
    { name: 'google', title: 'Gemini, thoughts as output', model: 'gemini-2.5-pro', calls: [geminiCall] },
    { name: 'google-stream', title: 'streamed Gemini', model: 'gemini-2.5-pro', calls: [geminiCall] },
    {
      name: 'tool-loop',
      title: 'a tool loop: two chat calls counted, the agent span that sums them is not',
      model: 'gpt-4o-mini',
      calls: [chatCall, chatCall],
      script: (model) =>
        model.script(
          'openai-chat',
          { toolCall: { name: 'bash', arguments: { command: 'echo hi' } } },
          { text: 'It printed hi.' },
        ),
    },
    {
      name: 'mock',
      title: "the AI SDK's mock model: its usage read, its model in no price table (flagged, not $0)",
      model: MOCK_MODEL,
      // The mock's usage, as the sender sets it: 70 in (20 cache read), 12 out (4 reasoning).
      calls: [tokens({ input: 70, cacheRead: 20, output: 12, reasoning: reasoning(4) })],
      unknownModel: true,
    },
  ]
}

describeLibrary(`AI SDK ${ai} with @ai-sdk/otel OpenTelemetry`, {
  fixturePrefix: `ai-${ai}-otel`,
  sender: 'ai-sdk.mjs',
  env: () => ({ AI_SDK_TELEMETRY: 'otel' }),
  cases: (u) => cases(u, 'otel'),
})

describeLibrary(`AI SDK ${ai} with @ai-sdk/otel LegacyOpenTelemetry`, {
  fixturePrefix: `ai-${ai}-legacy`,
  sender: 'ai-sdk.mjs',
  env: () => ({ AI_SDK_TELEMETRY: 'legacy' }),
  cases: (u) => cases(u, 'legacy'),
})
