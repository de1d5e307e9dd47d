import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { fromGenaiPrices, type GenaiProvider, loadGenaiPriceTable } from '../../../src/cost/genai-prices.js'
import { LITELLM_SNAPSHOT_PATH, loadLiteLlmSnapshot } from '../../../src/cost/litellm-snapshot.js'
import { priceCall } from '../../../src/cost/price-call.js'
import { listPrices } from '../../../src/cost/price-queries.js'
import { loadTablePrices } from '../../../src/cost/price-sources.js'
import { shippedPriceTables } from '../../../src/cost/price-store.js'
import { priceTableSchemas } from '../../../src/cost/price-table.js'
import { noTokens } from '../../../src/llm/llm-call.js'
import { tempDir } from '../../helpers/cli.js'

const repoRoot = new URL('../../../', import.meta.url)

describe('the tables goblin ships', () => {
  const shipped = shippedPriceTables()

  it('are valid tables as they are read, without validation: zod reads each as itself', () => {
    expect(shipped.map((t) => [t.origin, t.table.source.split(' ')[0]])).toEqual([
      ['bundled', '@pydantic/genai-prices'],
      ['bundled', 'LiteLLM'],
      ['override', 'the'],
    ])
    for (const { table } of shipped)
      expect(priceTableSchemas().priceTableSchema.parse(table)).toStrictEqual(table)
    expect(shipped[0]?.table.models.length).toBeGreaterThan(1500)
  })

  it('hold what the build generates from the installed genai-prices', async () => {
    const generated = shipped[0]?.table
    const fresh = await loadGenaiPriceTable(generated?.takenAt ?? '')
    expect(fresh).toEqual(generated)
  })

  it("hold LiteLLM's whole vendored table, dated by its snapshot, not a trim", () => {
    const generated = shipped[1]?.table
    expect(loadLiteLlmSnapshot(repoRoot)).toEqual(generated)
    expect(generated?.takenAt).toBe('2026-07-24')
    const raw = JSON.parse(readFileSync(new URL(LITELLM_SNAPSHOT_PATH, repoRoot), 'utf8')) as object
    const entries = Object.entries(raw).filter(([key, v]) => key !== 'sample_spec' && typeof v === 'object')
    const perToken = entries.filter(([, v]) => 'input_cost_per_token' in v || 'output_cost_per_token' in v)
    // Every entry with a per-token price is shipped (tiered_pricing-only entries are converted too).
    expect(generated?.models.length).toBeGreaterThanOrEqual(perToken.length)
    expect(generated?.models.length).toBeLessThanOrEqual(entries.length)
    expect(perToken.length).toBeGreaterThan(2000)
  })

  it('name a source for every override, and override no model the other tables list', () => {
    const [database, snapshot, overrides] = shipped.map((t) => t.table)
    expect(overrides?.source).toContain('https://')
    const listed = new Set([...(database?.models ?? []), ...(snapshot?.models ?? [])].map((m) => m.model))
    for (const model of overrides?.models ?? []) expect(listed.has(model.model)).toBe(false)
  })

  // The models the coding agents and instrumentation libraries of goblin's tests call (docs/prices.md), at a
  // prompt below every tier threshold.
  it.each([
    ['gpt-4o-mini', null, 0.15, 0.6],
    ['gpt-4o-mini-2024-07-18', 'openai', 0.15, 0.6],
    ['gpt-4.1-mini', 'openai', 0.4, 1.6],
    ['gpt-5.5', 'openai', 5, 30],
    ['gpt-5-codex', 'openai', 1.25, 10],
    ['o4-mini', 'openai', 1.1, 4.4],
    ['claude-sonnet-4-5', 'anthropic', 3, 15],
    ['claude-sonnet-4-20250514', 'anthropic', 3, 15],
    ['claude-4-sonnet-20250514', 'anthropic', 3, 15],
    ['claude-opus-4-1', 'anthropic', 15, 75],
    ['claude-haiku-4-5', 'anthropic', 1, 5],
    ['claude-sonnet-5-5', 'anthropic', 2, 10],
    ['claude-opus-5-5', 'anthropic', 4, 20],
    ['gemini-2.5-pro', null, 1.25, 10],
    ['gemini-2.5-pro', 'gemini', 1.25, 10],
    ['gemini-2.5-pro', 'vertex_ai', 1.25, 10],
    ['gemini-2.5-flash', null, 0.3, 2.5],
    ['gemini-3-pro-preview', 'gemini', 2, 12],
  ])('price %s (provider %s) at $%s in / $%s out per million', (model, provider, input, output) => {
    const tokens = 100_000
    const home = tempDir()
    try {
      const book = loadTablePrices(home.path)
      const call = {
        model,
        provider,
        tokens: { ...noTokens(), input: tokens, output: tokens },
        metered: true,
        ownCostUsd: null,
      }
      expect(priceCall(call, book).status).toBe('priced')
      expect(priceCall(call, book).usd).toBeCloseTo(((input + output) * tokens) / 1e6, 9)
    } finally {
      home.cleanup()
    }
  })
})

describe('listPrices --provider', () => {
  it("lists one provider's prices whatever each table calls it", async () => {
    const home = tempDir()
    try {
      const list = await listPrices({ provider: 'aws.bedrock', home: home.path })
      const named = new Set(list.models.map((m) => m.provider))
      // genai-prices files Bedrock as `aws`, LiteLLM as `bedrock`, `bedrock_converse` and `bedrock_mantle`:
      // all normalized.
      expect([...named].sort()).toEqual(['bedrock', 'bedrock_converse', 'bedrock_mantle'])
      expect(list.models.length).toBeGreaterThan(50)
    } finally {
      home.cleanup()
    }
  })
})

describe('fromGenaiPrices', () => {
  const providers: GenaiProvider[] = [
    {
      id: 'anthropic',
      models: [
        {
          id: 'claude-x-1',
          match: { or: [{ starts_with: 'claude-x-1' }, { equals: 'claude-x1' }, { contains: 'x-1' }] },
          prices: {
            input_mtok: { base: 3, tiers: [{ start: 200_000, price: 6 }] },
            output_mtok: { base: 15, tiers: [{ start: 200_000, price: 22.5 }] },
            cache_read_mtok: 0.3,
            cache_write_mtok: 3.75,
            cache_write_1h_mtok: 6,
            input_audio_mtok: 100,
          },
        },
        { id: 'voice-only', match: { equals: 'voice-only' }, prices: { input_audio_mtok: 40 } },
      ],
    },
    {
      id: 'google',
      models: [
        {
          id: 'gemini-y',
          match: { equals: 'gemini-y' },
          prices: [
            { prices: { input_mtok: 1, output_mtok: 2 } },
            {
              constraint: { type: 'start_date', start_date: '2026-06-01' },
              prices: { input_mtok: 0.4, output_mtok: 1.6 },
            },
            {
              constraint: { type: 'start_date', start_date: '2027-01-01' },
              prices: { input_mtok: 9, output_mtok: 9 },
            },
            {
              constraint: { type: 'time_of_date', start_date: undefined },
              prices: { input_mtok: 0.1, output_mtok: 0.1 },
            },
          ],
        },
      ],
    },
  ]
  const table = fromGenaiPrices(providers, { takenAt: '2026-12-02', source: 'test' })

  it('converts per-million prices exactly, with tiers, cache and 1-hour rates', () => {
    expect(table.models.find((m) => m.model === 'claude-x-1')).toEqual({
      model: 'claude-x-1',
      provider: 'anthropic',
      inputPerToken: 3e-6,
      outputPerToken: 1.5e-5,
      cachedInputPerToken: 3e-7,
      cacheCreationInputPerToken: 3.75e-6,
      cacheWrite1hPerToken: 6e-6,
      tiers: [{ aboveInputTokens: 200_000, inputPerToken: 6e-6, outputPerToken: 2.25e-5 }],
    })
  })

  it('files a model under each exact name its rule accepts, and under its provider unless it is a lab', () => {
    expect(table.models.map((m) => m.model)).toEqual(['claude-x-1', 'claude-x1', 'gemini/gemini-y'])
  })

  it("takes the dated price in force on the table's day, time-of-day discounts aside", () => {
    expect(table.models.find((m) => m.model === 'gemini/gemini-y')).toMatchObject({
      provider: 'gemini',
      inputPerToken: 4e-7,
      outputPerToken: 1.6e-6,
    })
  })
})
