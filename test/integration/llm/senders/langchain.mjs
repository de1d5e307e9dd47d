// LangChain.js (@langchain/openai's ChatOpenAI) traced by langsmith in OpenTelemetry mode
// (LANGSMITH_TRACING_MODE=otel): langsmith's own OTLP exporter (protobuf) sends to OTEL_EXPORTER_OTLP_ENDPOINT.
// In this mode langsmith exports only spans that `traceable()` opens; the LangChain runs inside one are
// written onto that span (`langsmith.*`, `gen_ai.*` attributes), so each case runs its model call in a
// traceable function, as langsmith's OpenTelemetry guide does. Usage: node langchain.mjs <case>.

import { initializeOTEL } from 'langsmith/experimental/otel/setup'
import { traceable } from 'langsmith/traceable'
import { fakeModelUrl, runCase } from './otel.mjs'

const { DEFAULT_LANGSMITH_TRACER_PROVIDER: provider } = initializeOTEL()
const { ChatOpenAI } = await import('@langchain/openai')
const { awaitAllCallbacks } = await import('@langchain/core/callbacks/promises')

const configuration = { baseURL: `${fakeModelUrl()}/v1` }
const chat = (fields) => new ChatOpenAI({ apiKey: 'sk-test', configuration, maxRetries: 0, ...fields })

await runCase(
  {
    invoke: traceable(
      async () => {
        const message = await chat({ model: 'gpt-4o-mini' }).invoke('Say hello.')
        return { text: message.content, usage: message.usage_metadata }
      },
      { name: 'invoke' },
    ),
    stream: traceable(
      async () => {
        let text = ''
        let usage = null
        for await (const chunk of await chat({ model: 'gpt-4o-mini', streamUsage: true }).stream(
          'Say hello.',
        )) {
          text += chunk.content
          if (chunk.usage_metadata) usage = chunk.usage_metadata
        }
        return { text, usage }
      },
      { name: 'stream' },
    ),
    responses: traceable(
      async () => {
        const message = await chat({ model: 'gpt-4.1-mini', useResponsesApi: true }).invoke('Say hello.')
        return { text: message.text, usage: message.usage_metadata }
      },
      { name: 'responses' },
    ),
  },
  // LangChain hands runs to its tracer in the background: wait for them before flushing the spans.
  async () => {
    await awaitAllCallbacks()
    await provider.shutdown()
  },
)
