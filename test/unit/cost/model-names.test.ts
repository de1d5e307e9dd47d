import { describe, expect, it } from 'vitest'
import { modelDisplayName } from '../../../src/cost/model-names.js'
import { PriceBook } from '../../../src/cost/price-book.js'
import type { ModelPrice } from '../../../src/cost/price-table.js'

const price = (model: string, inputPerToken: number, provider = 'openai'): ModelPrice => ({
  model,
  provider,
  inputPerToken,
  outputPerToken: 4 * inputPerToken,
})

const book = new PriceBook([
  {
    origin: 'bundled',
    models: [
      price('gpt-4o-mini', 1.5e-7),
      price('gpt-4o-mini-2024-07-18', 1.5e-7),
      price('gpt-4o', 2.5e-6),
      price('gpt-4o-2024-05-13', 5e-6),
      price('claude-sonnet-4-20250514', 3e-6, 'anthropic'),
      price('claude-4-sonnet-20250514', 3e-6, 'anthropic'),
      price('gemini/gemini-2.5-pro', 1.25e-6, 'gemini'),
    ],
  },
])

describe('modelDisplayName', () => {
  it.each([
    ['gpt-4o-mini', 'gpt-4o-mini'],
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['openai/gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['GPT-4o-mini', 'gpt-4o-mini'],
    ['claude-sonnet-4-20250514', 'claude-sonnet-4'],
    ['claude-4-sonnet-20250514', 'claude-sonnet-4'],
    ['us.anthropic.claude-sonnet-4-20250514-v1:0', 'claude-sonnet-4'],
    ['claude-3-5-haiku@20241022', 'claude-3-5-haiku'],
    ['claude-3-5-haiku-latest', 'claude-3-5-haiku'],
    ['gemini/gemini-2.5-pro', 'gemini-2.5-pro'],
    ['gemini-2.5-pro', 'gemini-2.5-pro'],
    ['claude-sonnet-4-5', 'claude-sonnet-4-5'],
  ])('%s shows as %s', (model, shown) => {
    expect(modelDisplayName(model, book)).toBe(shown)
  })

  it('keeps the date of a snapshot billed differently from the undated name', () => {
    expect(modelDisplayName('gpt-4o-2024-05-13', book)).toBe('gpt-4o-2024-05-13')
    // A snapshot the book does not list is priced as the undated model, so it shares its row.
    expect(modelDisplayName('gpt-4o-2024-08-06', book)).toBe('gpt-4o')
  })

  it('groups names of a model no table knows by the same rules', () => {
    expect(modelDisplayName('acme/acme-7-2026-01-01', book)).toBe('acme-7')
    expect(modelDisplayName('acme-7', book)).toBe('acme-7')
  })

  it('never turns a name into nothing', () => {
    expect(modelDisplayName('-latest', book)).toBe('-latest')
  })
})
