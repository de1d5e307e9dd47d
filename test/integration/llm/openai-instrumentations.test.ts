import type { FakeUsage } from '../../support/fake-model-server.js'
import { describeLibrary, type LibraryCase } from './library-suite.js'
import { type KnownTokens, tokens, versionOf } from './llm-harness.js'

// Three instrumentations of the OpenAI client, each run with the same calls: Chat Completions JSON and
// streamed (with and without stream_options.include_usage), Responses JSON and streamed.

/** The fake server's usage as a complete reader would see it, and as one that drops the cache tokens. */
function usageOf(u: FakeUsage) {
  const chat = u['openai-chat']
  const responses = u['openai-responses']
  return {
    chat: tokens({
      input: chat.prompt_tokens,
      cacheRead: chat.prompt_tokens_details.cached_tokens,
      output: chat.completion_tokens,
      reasoning: chat.completion_tokens_details.reasoning_tokens,
    }),
    chatNoDetails: tokens({ input: chat.prompt_tokens, output: chat.completion_tokens }),
    responses: tokens({
      input: responses.input_tokens,
      cacheRead: responses.input_tokens_details.cached_tokens,
      output: responses.output_tokens,
      reasoning: responses.output_tokens_details.reasoning_tokens,
    }),
    responsesNoDetails: tokens({ input: responses.input_tokens, output: responses.output_tokens }),
  }
}

const CHAT = 'gpt-4o-mini'
const RESPONSES = 'gpt-4.1-mini'
type Call = KnownTokens | 'unmetered'
const one = (name: string, title: string, model: string, call: Call): LibraryCase => ({
  name,
  title,
  model,
  calls: [call],
})

const otel = versionOf('@opentelemetry/instrumentation-openai')
describeLibrary(`@opentelemetry/instrumentation-openai ${otel} (openai 6)`, {
  fixturePrefix: `opentelemetry-instrumentation-openai-${otel}`,
  sender: 'otel-openai.mjs',
  cases: (u) => {
    const t = usageOf(u)
    // It sends gen_ai.usage.input_tokens / output_tokens only: no cache reads, so the cached prompt
    // tokens are priced as plain input (more than the provider charged), and no reasoning count.
    return [
      one(
        'chat',
        'Chat Completions: no cache tokens sent, all input priced as uncached',
        CHAT,
        t.chatNoDetails,
      ),
      one('chat-stream', 'streamed with include_usage: the same counts', CHAT, t.chatNoDetails),
      one('chat-stream-no-usage', 'streamed without usage: the call is unmetered, not $0', CHAT, 'unmetered'),
      one('responses', 'Responses: no cache tokens sent', RESPONSES, t.responsesNoDetails),
      one('responses-stream', 'streamed Responses: the same counts', RESPONSES, t.responsesNoDetails),
    ]
  },
})

const openinference = versionOf('@arizeai/openinference-instrumentation-openai')
describeLibrary(`OpenInference openai ${openinference} (openai 7)`, {
  fixturePrefix: `openinference-instrumentation-openai-${openinference}`,
  sender: 'openinference-openai.mjs',
  cases: (u) => {
    const t = usageOf(u)
    return [
      one('chat', 'Chat Completions: llm.token_count.* with cache reads and reasoning', CHAT, t.chat),
      // It records no token counts for a streamed chat completion, even when the API sends usage.
      one('chat-stream', 'streamed with include_usage: no counts recorded, unmetered', CHAT, 'unmetered'),
      one('chat-stream-no-usage', 'streamed without usage: unmetered', CHAT, 'unmetered'),
      one('responses', 'Responses: cache reads and reasoning', RESPONSES, t.responses),
      one('responses-stream', 'streamed Responses: counts from response.completed', RESPONSES, t.responses),
    ]
  },
})

const traceloop = versionOf('@traceloop/node-server-sdk')
describeLibrary(`Traceloop OpenLLMetry ${traceloop} (openai 6)`, {
  fixturePrefix: `traceloop-node-server-sdk-${traceloop}`,
  sender: 'traceloop.mjs',
  cases: (u) => {
    const t = usageOf(u)
    // Streamed chat completions carry token counts Traceloop counted itself from the text (3 in, 7 out
    // here), not the API's usage, with or without include_usage: goblin can only report what was sent.
    const selfCounted = tokens({ input: 3, output: 7 })
    return [
      one('chat', 'Chat Completions: no cache tokens sent', CHAT, t.chatNoDetails),
      one('chat-stream', 'streamed: its own token estimate, not the usage the API sent', CHAT, selfCounted),
      one('chat-stream-no-usage', 'streamed without usage: its own estimate', CHAT, selfCounted),
      one('responses', 'Responses: no cache tokens sent', RESPONSES, t.responsesNoDetails),
      one('responses-stream', 'streamed Responses: no usage at all, unmetered', RESPONSES, 'unmetered'),
    ]
  },
})
