// @traceloop/node-server-sdk (OpenLLMetry) around the `openai` client. Its OpenAI instrumentation patches
// openai >=4 <7, so it runs with openai 6 (installed as `openai-6`), handed over with the SDK's documented
// `instrumentModules`. Its exporter is the OTLP/HTTP JSON one pointed at goblin (OTEL_EXPORTER_OTLP_ENDPOINT),
// not Traceloop's cloud, and its
// prompt sync is off. Usage: node traceloop.mjs <case>.
import { createRequire } from 'node:module'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import * as traceloop from '@traceloop/node-server-sdk'
import { openAiCases } from './openai-cases.mjs'
import { fakeModelUrl, runCase } from './otel.mjs'

const require = createRequire(import.meta.url)
const { OpenAI } = require('openai-6')
traceloop.initialize({
  appName: process.env.OTEL_SERVICE_NAME,
  baseUrl: process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
  exporter: new OTLPTraceExporter(),
  // Off: prompt sync would fetch from Traceloop's cloud.
  traceloopSyncEnabled: false,
  disableBatch: true,
  silenceInitializationMessage: true,
  instrumentModules: { openAI: OpenAI },
})

const client = new OpenAI({ baseURL: `${fakeModelUrl()}/v1`, apiKey: 'sk-test', maxRetries: 0 })
await runCase(openAiCases(client), () => traceloop.forceFlush())
