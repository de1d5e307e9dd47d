import { describe, expect, it } from 'vitest'
import { PriceBook } from '../../../src/cost/price-book.js'
import type { ModelPrice } from '../../../src/cost/price-table.js'

const price = (model: string, provider: string, inputPerToken = 1e-6): ModelPrice => ({
  model,
  provider,
  inputPerToken,
  outputPerToken: 2e-6,
})

const book = new PriceBook([
  {
    origin: 'bundled',
    models: [
      price('gpt-4o', 'openai', 2.5e-6),
      price('gpt-4o-2024-05-13', 'openai', 5e-6),
      price('azure/gpt-4o', 'azure', 2.75e-6),
      price('claude-3-5-haiku-20241022', 'anthropic', 8e-7),
      price('claude-3-5-haiku-20240101', 'anthropic', 9e-7),
      price('anthropic.claude-3-5-sonnet-20241022-v2:0', 'bedrock', 3e-6),
      price('groq/llama3-8b-8192', 'groq', 5e-8),
      price('gpt-4.1', 'openai', 2e-6),
    ],
  },
])

describe('PriceBook.resolve', () => {
  it.each([
    ['gpt-4o', null, 'gpt-4o', 'exact'],
    ['GPT-4o', null, 'gpt-4o', 'exact'],
    ['openai/gpt-4o', null, 'gpt-4o', 'alias'],
    ['gpt-4o-2024-05-13', null, 'gpt-4o-2024-05-13', 'exact'],
    ['gpt-4o-2024-08-06', null, 'gpt-4o', 'alias'],
    ['claude-3-5-haiku', null, 'claude-3-5-haiku-20241022', 'alias'],
    ['claude-3-5-haiku-latest', null, 'claude-3-5-haiku-20241022', 'alias'],
    ['claude-3-5-haiku@20241022', null, 'claude-3-5-haiku-20241022', 'alias'],
    ['claude-3.5-haiku-20241022', null, 'claude-3-5-haiku-20241022', 'alias'],
    [
      'us.anthropic.claude-3-5-sonnet-20241022-v2:0',
      null,
      'anthropic.claude-3-5-sonnet-20241022-v2:0',
      'alias',
    ],
    ['gpt-4o', 'azure.ai.openai', 'azure/gpt-4o', 'alias'],
    ['llama3-8b-8192', 'groq', 'groq/llama3-8b-8192', 'alias'],
    ['gpt-4.1', null, 'gpt-4.1', 'exact'],
  ])('%s (provider %s) resolves to %s', (model, provider, key, how) => {
    const match = book.resolve(model, provider)
    expect(match?.key).toBe(key)
    expect(match?.matchedBy).toBe(how)
  })

  it('reports an unknown model as null, never a zero price', () => {
    expect(book.resolve('gpt-17-ultra')).toBeNull()
    expect(book.resolve('')).toBeNull()
    expect(book.resolve('mistral-large')).toBeNull()
  })

  it('lets a later layer override an earlier one for the models it names', () => {
    const layered = new PriceBook([
      { origin: 'bundled', models: [price('gpt-4o', 'openai', 2.5e-6), price('o3', 'openai', 1e-5)] },
      { origin: 'plugin:acme', models: [price('gpt-4o', 'openai', 1e-6)] },
    ])
    expect(layered.resolve('gpt-4o')?.price).toMatchObject({ inputPerToken: 1e-6, origin: 'plugin:acme' })
    expect(layered.resolve('o3')?.price.origin).toBe('bundled')
  })

  it('resolves a bare name that only one provider lists, whichever provider the span named', () => {
    const prefixed = new PriceBook([
      {
        origin: 'bundled',
        models: [
          price('gemini/gemini-2.5-pro', 'gemini', 1.25e-6),
          // A router's resale does not make the name ambiguous.
          price('openrouter/google/gemini-2.5-pro', 'openrouter', 1.3e-6),
          price('openrouter/google/gemini-2.5-flash', 'openrouter', 3e-7),
          price('gemini/gemini-2.5-flash', 'gemini', 3e-7),
          price('vertex_ai/gemini-2.5-flash', 'vertex_ai-language-models', 3.5e-7),
        ],
      },
    ])
    for (const provider of [null, 'gemini', 'gcp.gemini', 'vertex_ai'])
      expect(prefixed.resolve('gemini-2.5-pro', provider)?.key).toBe('gemini/gemini-2.5-pro')
    // Three providers list gemini-2.5-flash: the span's provider picks one, no provider is ambiguous.
    expect(prefixed.resolve('gemini-2.5-flash', 'gemini')?.key).toBe('gemini/gemini-2.5-flash')
    expect(prefixed.resolve('gemini-2.5-flash', 'gcp.vertex_ai')?.key).toBe('vertex_ai/gemini-2.5-flash')
    expect(prefixed.resolve('gemini-2.5-flash', null)).toBeNull()
  })

  it("resolves Anthropic's version-first and family-first spellings of one model", () => {
    const claude = new PriceBook([
      {
        origin: 'bundled',
        models: [
          price('claude-4-sonnet-20250514', 'anthropic', 3e-6),
          price('claude-opus-4-1', 'anthropic', 1.5e-5),
        ],
      },
    ])
    expect(claude.resolve('claude-sonnet-4-20250514')?.key).toBe('claude-4-sonnet-20250514')
    expect(claude.resolve('claude-sonnet-4')?.key).toBe('claude-4-sonnet-20250514')
    expect(claude.resolve('claude-5-sonnet')).toBeNull()
    expect(claude.resolve('claude-opus-4-1-20250805')?.key).toBe('claude-opus-4-1')
  })

  it('suggests look-alike names', () => {
    expect(book.suggest('gpt-4o-turbo-9000')).toContain('gpt-4o')
  })
})
