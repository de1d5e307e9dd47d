// A tiny "agent" instrumented with goblin's SDK: one task span with two LLM calls inside it.
// The calls are simulated (no network), but the spans are real OTLP exports with the GenAI attributes
// goblin prices. Run it under `goblin trace exec` so it joins goblin's trace:
//   npx goblin trace exec --name demo -- node examples/agent.mjs
import { initTracing, withLlmSpan } from '@goblinos/cli/telemetry'

const tracing = initTracing({ serviceName: 'demo-agent', goblinId: 'researcher', sampleRatio: 1 })

await tracing.tracer.startActiveSpan(
  'summarise findings',
  { attributes: { 'task.id': 'demo-task' } },
  async (task) => {
    await withLlmSpan({ model: 'gpt-4o', provider: 'openai' }, async (llm) => {
      llm.setUsage({ inputTokens: 1200, outputTokens: 350 })
    })
    await withLlmSpan({ model: 'claude-sonnet-4-5', provider: 'anthropic' }, async (llm) => {
      llm.setUsage({ inputTokens: 5400, outputTokens: 900 })
    })
    task.end()
  },
)
await tracing.shutdown()
console.log('demo-agent: 1 task, 2 LLM calls recorded')
