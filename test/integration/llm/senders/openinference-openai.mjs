// @arizeai/openinference-instrumentation-openai (OpenInference conventions: llm.*, openinference.span.kind)
// around the `openai` 7 client, instrumented with its documented `manuallyInstrument` for ES modules.
// Usage: node openinference-openai.mjs <case>.
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai'
import { registerInstrumentations } from '@opentelemetry/instrumentation'
import OpenAI from 'openai'
import { openAiCases } from './openai-cases.mjs'
import { fakeModelUrl, runCase, startTracing } from './otel.mjs'

const provider = startTracing()
const instrumentation = new OpenAIInstrumentation()
registerInstrumentations({ instrumentations: [instrumentation] })
instrumentation.manuallyInstrument(OpenAI)

const client = new OpenAI({ baseURL: `${fakeModelUrl()}/v1`, apiKey: 'sk-test', maxRetries: 0 })
await runCase(openAiCases(client), () => provider.shutdown())
