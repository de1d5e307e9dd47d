import { expect } from 'vitest'
import type { FakeUsage } from '../../support/fake-model-server.js'
import { describeLibrary, type LibraryCase } from './library-suite.js'
import { tokens, versionOf } from './llm-harness.js'

// LangChain.js's ChatOpenAI inside a langsmith `traceable`, langsmith in OpenTelemetry mode: the usage
// travels only as the JSON string attribute `langsmith.usage_metadata` on the traceable's span.
const langchain = versionOf('@langchain/openai')
const langsmith = versionOf('langsmith')

function cases(u: FakeUsage): LibraryCase[] {
  const chat = u['openai-chat']
  const responses = u['openai-responses']
  const chatCall = tokens({
    input: chat.prompt_tokens,
    cacheRead: chat.prompt_tokens_details.cached_tokens,
    output: chat.completion_tokens,
    reasoning: chat.completion_tokens_details.reasoning_tokens,
  })
  const responsesCall = tokens({
    input: responses.input_tokens,
    cacheRead: responses.input_tokens_details.cached_tokens,
    output: responses.output_tokens,
    reasoning: responses.output_tokens_details.reasoning_tokens,
  })
  return [
    {
      name: 'invoke',
      title: 'usage_metadata with cache reads and reasoning',
      model: 'gpt-4o-mini',
      calls: [chatCall],
    },
    { name: 'stream', title: 'streamed with streamUsage', model: 'gpt-4o-mini', calls: [chatCall] },
    { name: 'responses', title: 'the Responses API', model: 'gpt-4.1-mini', calls: [responsesCall] },
  ]
}

describeLibrary(`LangChain.js @langchain/openai ${langchain} with langsmith ${langsmith} in OTel mode`, {
  fixturePrefix: `langchain-openai-${langchain}-langsmith-${langsmith}`,
  sender: 'langchain.mjs',
  // LANGSMITH_ENDPOINT points at the fake server, so anything langsmith sends its own API lands there.
  env: (model) => ({
    LANGSMITH_TRACING: 'true',
    LANGSMITH_TRACING_MODE: 'otel',
    LANGSMITH_ENDPOINT: model.url,
    LANGSMITH_API_KEY: 'ls-test',
  }),
  cases,
  checks: [
    {
      title: 'langsmith sends nothing to its own API in OTel mode but its server-info probe',
      check: (model) => {
        const toLangsmith = model.requests.filter((r) => r.api === null)
        expect(toLangsmith.map((r) => `${r.method} ${r.path}`)).toEqual(toLangsmith.map(() => 'GET /info'))
        expect(model.calls().length).toBe(3)
      },
    },
  ],
})
