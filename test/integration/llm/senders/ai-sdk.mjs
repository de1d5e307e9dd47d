// The Vercel AI SDK (`ai` 7 with @ai-sdk/openai, @ai-sdk/anthropic, @ai-sdk/google) traced by @ai-sdk/otel:
// `AI_SDK_TELEMETRY=otel` registers its `OpenTelemetry` integration (GenAI spans: invoke_agent > step > chat),
// `legacy` its `LegacyOpenTelemetry` one (the `ai.*` attributes of AI SDK 4-6). Usage:
// node ai-sdk.mjs <case>, with FAKE_MODEL_URL and the OTEL_* variables set.
import { LegacyOpenTelemetry, OpenTelemetry } from '@ai-sdk/otel'
import { fakeModelUrl, runCase, startTracing } from './otel.mjs'

const provider = startTracing()
const { createAnthropic } = await import('@ai-sdk/anthropic')
const { createGoogleGenerativeAI } = await import('@ai-sdk/google')
const { createOpenAI } = await import('@ai-sdk/openai')
const { generateText, registerTelemetry, stepCountIs, streamText, tool } = await import('ai')
const { MockLanguageModelV4 } = await import('ai/test')
const { z } = await import('zod')

const integration =
  process.env.AI_SDK_TELEMETRY === 'legacy' ? new LegacyOpenTelemetry() : new OpenTelemetry()
registerTelemetry(integration)

const url = fakeModelUrl()
const openai = createOpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-test' })
const anthropic = createAnthropic({ baseURL: `${url}/v1`, apiKey: 'sk-ant-test' })
const google = createGoogleGenerativeAI({ baseURL: `${url}/v1beta`, apiKey: 'gemini-test' })
const telemetry = { functionId: 'fixture-function' }
const prompt = 'Say hello.'

async function generate(model) {
  const { text, usage, totalUsage } = await generateText({ model, prompt, telemetry, maxRetries: 0 })
  return { text, usage, totalUsage }
}

async function stream(model) {
  const result = streamText({ model, prompt, telemetry, maxRetries: 0 })
  let text = ''
  for await (const delta of result.textStream) text += delta
  return { text, usage: await result.usage, totalUsage: await result.totalUsage }
}

/** The AI SDK's own mock model (from `ai/test`): no HTTP at all, the usage is what the mock returns. */
const mockModel = () =>
  new MockLanguageModelV4({
    provider: 'mock-provider',
    modelId: 'mock-model-id',
    doGenerate: {
      content: [{ type: 'text', text: 'Hello from the mock model.' }],
      finishReason: { unified: 'stop', raw: 'stop' },
      usage: {
        inputTokens: { total: 70, noCache: 50, cacheRead: 20, cacheWrite: 0 },
        outputTokens: { total: 12, text: 8, reasoning: 4 },
      },
      warnings: [],
    },
  })

await runCase(
  {
    'openai-chat': () => generate(openai.chat('gpt-4o-mini')),
    'openai-chat-stream': () => stream(openai.chat('gpt-4o-mini')),
    'openai-responses': () => generate(openai.responses('gpt-4.1-mini')),
    'openai-responses-stream': () => stream(openai.responses('gpt-4.1-mini')),
    anthropic: () => generate(anthropic('claude-sonnet-4-5')),
    'anthropic-stream': () => stream(anthropic('claude-sonnet-4-5')),
    google: () => generate(google('gemini-2.5-pro')),
    'google-stream': () => stream(google('gemini-2.5-pro')),
    // Two model calls in one generateText: the first asks for the tool, the second answers with its result.
    'tool-loop': async () => {
      const { text, steps, totalUsage } = await generateText({
        model: openai.chat('gpt-4o-mini'),
        prompt: 'Run echo hi.',
        telemetry,
        maxRetries: 0,
        stopWhen: stepCountIs(3),
        tools: {
          bash: tool({
            description: 'Runs a shell command',
            inputSchema: z.object({ command: z.string() }),
            execute: async ({ command }) => (command === 'echo hi' ? 'hi' : 'refused'),
          }),
        },
      })
      return { text, steps: steps.length, totalUsage }
    },
    mock: () => generate(mockModel()),
  },
  () => provider.shutdown(),
)
