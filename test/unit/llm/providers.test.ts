import { describe, expect, it } from 'vitest'
import { normalizeProvider } from '../../../src/llm/providers.js'

describe('normalizeProvider', () => {
  it.each([
    ['openai', 'openai'],
    ['openai.chat', 'openai'],
    ['openai.responses', 'openai'],
    ['OpenAI', 'openai'],
    ['anthropic.messages', 'anthropic'],
    ['gcp.gemini', 'gemini'],
    ['gcp.gen_ai', 'gemini'],
    ['google', 'gemini'],
    ['google.generative-ai', 'gemini'],
    ['google.vertex.chat', 'vertex_ai'],
    ['gcp.vertex_ai', 'vertex_ai'],
    ['aws.bedrock', 'bedrock'],
    ['azure.ai.openai', 'azure'],
    ['mistral_ai', 'mistral'],
    ['x_ai', 'xai'],
    ['ibm.watsonx.ai', 'watsonx'],
    ['bedrock_converse', 'bedrock'],
    ['vertex_ai-language-models', 'vertex_ai'],
    ['vertex_ai-anthropic_models', 'vertex_ai'],
    ['fireworks_ai-embedding-models', 'fireworks_ai'],
    ['text-completion-openai', 'openai'],
    ['aws', 'bedrock'],
    ['x-ai', 'xai'],
  ])('%s → %s', (name, provider) => {
    expect(normalizeProvider(name)).toBe(provider)
  })

  it('has no provider for an empty or missing name', () => {
    expect(normalizeProvider(null)).toBeNull()
    expect(normalizeProvider('  ')).toBeNull()
  })
})
