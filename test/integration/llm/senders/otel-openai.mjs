// @opentelemetry/instrumentation-openai (OpenTelemetry's own, GenAI semantic conventions) around the
// `openai` client. It patches openai >=4.19 <7, so it runs with openai 6 (installed as `openai-6`); under
// that alias its require hook does not see the module, so the sender applies the instrumentation's own
// module patch by hand, as its hook would. Usage: node otel-openai.mjs <case>.
import { createRequire } from 'node:module'
import { registerInstrumentations } from '@opentelemetry/instrumentation'
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai'
import { openAiCases } from './openai-cases.mjs'
import { fakeModelUrl, runCase, startTracing } from './otel.mjs'

const provider = startTracing()
const instrumentation = new OpenAIInstrumentation()
registerInstrumentations({ instrumentations: [instrumentation] })
const require = createRequire(import.meta.url)
const openai = require('openai-6')
for (const definition of instrumentation.getModuleDefinitions()) definition.patch?.(openai)

const client = new openai.OpenAI({ baseURL: `${fakeModelUrl()}/v1`, apiKey: 'sk-test', maxRetries: 0 })
await runCase(openAiCases(client), () => provider.shutdown())
