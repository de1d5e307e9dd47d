import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { LITELLM_SNAPSHOT_PATH } from '../../../src/cost/litellm-snapshot.js'
import { modelDisplayName } from '../../../src/cost/model-names.js'
import { type PricedCall, priceCall } from '../../../src/cost/price-call.js'
import { loadTablePrices } from '../../../src/cost/price-sources.js'
import { type CallTokens, noTokens } from '../../../src/llm/llm-call.js'
import { tempDir } from '../../helpers/cli.js'

/**
 * Each pricing rule of issue 11 item 5, on the real rows of the shipped tables: the expected USD is worked
 * out from the fields of LiteLLM's own file (read raw here, not through goblin's conversion), and the call is
 * priced through the price book every report uses.
 */
const raw = JSON.parse(
  readFileSync(new URL(`../../../${LITELLM_SNAPSHOT_PATH}`, import.meta.url), 'utf8'),
) as Record<string, Record<string, number | string>>
/** The LiteLLM fields these tests price by. */
type RateField =
  | 'input_cost_per_token'
  | 'output_cost_per_token'
  | 'output_cost_per_reasoning_token'
  | 'cache_read_input_token_cost'
  | 'cache_creation_input_token_cost'
  | 'cache_creation_input_token_cost_above_1hr'
  | 'input_cost_per_token_above_200k_tokens'
  | 'output_cost_per_token_above_200k_tokens'
  | 'cache_read_input_token_cost_above_200k_tokens'
  | 'cache_creation_input_token_cost_above_1hr_above_200k_tokens'

/** A LiteLLM row's rates; a rate the row lacks reads as NaN, so a sum over it fails its test. */
const row = (key: string): Record<RateField, number> => {
  const entry = raw[key]
  if (!entry) throw new Error(`${key} is not in the vendored LiteLLM table`)
  return new Proxy(entry as Record<RateField, number>, {
    get: (target, field: string) => (field in target ? target[field as RateField] : Number.NaN),
  })
}

const home = tempDir()
const book = loadTablePrices(home.path)
home.cleanup()

const call = (model: string, tokens: Partial<CallTokens>, provider: string | null = null): PricedCall => ({
  model,
  provider,
  tokens: { ...noTokens(), ...tokens },
  metered: true,
  ownCostUsd: null,
})
const usd = (c: PricedCall) => {
  const priced = priceCall(c, book)
  expect(priced.status).toBe('priced')
  return priced.usd
}

describe('a request above a tier threshold (LiteLLM *_above_200k_tokens)', () => {
  const sonnet = row('claude-sonnet-4-20250514')

  it('bills the whole request at the higher rates, not only the tokens above the threshold', () => {
    const tokens = { input: 200_001, output: 1_000 }
    const whole =
      200_001 * sonnet.input_cost_per_token_above_200k_tokens +
      1_000 * sonnet.output_cost_per_token_above_200k_tokens
    expect(usd(call('claude-sonnet-4-20250514', tokens))).toBeCloseTo(whole, 9)
    // 200,001 x $6/M + 1,000 x $22.50/M, not 200,000 x $3/M + 1 x $6/M + ...
    expect(whole).toBeCloseTo(1.222506, 9)
  })

  it('bills a request of exactly the threshold at the base rates', () => {
    const base = 200_000 * sonnet.input_cost_per_token + 1_000 * sonnet.output_cost_per_token
    expect(usd(call('claude-sonnet-4-20250514', { input: 200_000, output: 1_000 }))).toBeCloseTo(base, 9)
  })

  it('bills cache reads of a large request at the tier cache rate (gemini-2.5-pro)', () => {
    const gemini = row('gemini/gemini-2.5-pro')
    const tokens = { input: 300_000, cacheRead: 100_000, output: 2_000 }
    const want =
      200_000 * gemini.input_cost_per_token_above_200k_tokens +
      100_000 * gemini.cache_read_input_token_cost_above_200k_tokens +
      2_000 * gemini.output_cost_per_token_above_200k_tokens
    expect(usd(call('gemini-2.5-pro', tokens, 'gemini'))).toBeCloseTo(want, 9)
  })
})

describe('cache writes at their 5-minute and 1-hour rates', () => {
  const sonnet45 = row('claude-sonnet-4-5')

  it('bills reads, 5-minute writes and 1-hour writes each once, at their own rates', () => {
    const tokens = { input: 10_000, cacheRead: 4_000, cacheWrite5m: 3_000, cacheWrite1h: 2_000, output: 500 }
    const want =
      1_000 * sonnet45.input_cost_per_token +
      4_000 * sonnet45.cache_read_input_token_cost +
      3_000 * sonnet45.cache_creation_input_token_cost +
      2_000 * sonnet45.cache_creation_input_token_cost_above_1hr +
      500 * sonnet45.output_cost_per_token
    expect(sonnet45.cache_creation_input_token_cost_above_1hr).toBeGreaterThan(
      sonnet45.cache_creation_input_token_cost,
    )
    expect(usd(call('claude-sonnet-4-5', tokens, 'anthropic'))).toBeCloseTo(want, 9)
  })

  it('bills a 1-hour write above 200k at the tiered 1-hour rate', () => {
    const tokens = { input: 250_000, cacheWrite1h: 50_000, output: 0 }
    const want =
      200_000 * sonnet45.input_cost_per_token_above_200k_tokens +
      50_000 * sonnet45.cache_creation_input_token_cost_above_1hr_above_200k_tokens
    expect(usd(call('claude-sonnet-4-5', tokens, 'anthropic'))).toBeCloseTo(want, 9)
  })
})

describe('reasoning tokens', () => {
  it('are billed as output when the table gives no reasoning rate (o4-mini)', () => {
    const o4 = row('o4-mini')
    expect('output_cost_per_reasoning_token' in o4).toBe(false)
    const want = 1_000 * o4.input_cost_per_token + 3_000 * o4.output_cost_per_token
    expect(usd(call('o4-mini', { input: 1_000, output: 3_000, reasoning: 2_500 }, 'openai'))).toBeCloseTo(
      want,
      9,
    )
  })

  it('are billed at their own rate when the table prices them apart (dashscope/qwen-turbo)', () => {
    const qwen = row('dashscope/qwen-turbo')
    expect(qwen.output_cost_per_reasoning_token).not.toBe(qwen.output_cost_per_token)
    const want =
      1_000 * qwen.input_cost_per_token +
      500 * qwen.output_cost_per_token +
      2_500 * qwen.output_cost_per_reasoning_token
    expect(
      usd(call('qwen-turbo', { input: 1_000, output: 3_000, reasoning: 2_500 }, 'dashscope')),
    ).toBeCloseTo(want, 9)
  })
})

describe('a bare model name', () => {
  it('resolves to the one provider that lists it, whatever provider the span named', () => {
    // Only Azure AI prices `llama-3.3-70b-instruct` as `<provider>/<name>` (LiteLLM's `meta_llama/…` entry has
    // no price; routers' `<router>/meta-llama/…` resales do not count), and no table has the bare name.
    const listings = book.list().filter((p) => /^[^/]+\/llama-3\.3-70b-instruct$/i.test(p.model))
    expect(listings.map((p) => p.model)).toEqual(['azure_ai/Llama-3.3-70B-Instruct'])
    expect(book.list().some((p) => p.model.toLowerCase() === 'llama-3.3-70b-instruct')).toBe(false)
    for (const provider of [null, 'openai.chat']) {
      expect(book.resolve('llama-3.3-70b-instruct', provider)?.key).toBe('azure_ai/Llama-3.3-70B-Instruct')
    }
  })

  it('that several providers list resolves by the span provider, and is unknown without one', () => {
    expect(Object.keys(raw).filter((k) => k.endsWith('/deepseek-v3'))).toEqual(
      expect.arrayContaining(['azure_ai/deepseek-v3', 'deepseek/deepseek-v3']),
    )
    expect(book.resolve('deepseek-v3', 'deepseek')?.key).toBe('deepseek/deepseek-v3')
    expect(book.resolve('deepseek-v3', 'azure.ai.inference')?.key).toBe('azure_ai/deepseek-v3')
    expect(book.resolve('deepseek-v3', null)).toBeNull()
  })
})

describe("Anthropic's two spellings of one model", () => {
  it.each([
    ['claude-4-1-opus-20250805', 'claude-opus-4-1-20250805'],
    ['claude-4-5-sonnet-20250929', 'claude-sonnet-4-5-20250929'],
  ])('resolve to the spelling the table lists: %s → %s', (spelled, listed) => {
    expect(raw[spelled]).toBeUndefined()
    const entry = row(listed)
    expect(book.resolve(spelled, 'anthropic')).toMatchObject({ key: listed, matchedBy: 'alias' })
    expect(usd(call(spelled, { input: 1_000, output: 100 }, 'anthropic'))).toBeCloseTo(
      1_000 * entry.input_cost_per_token + 100 * entry.output_cost_per_token,
      9,
    )
  })

  it('price alike where the table lists both (claude-sonnet-4-20250514, claude-4-sonnet-20250514)', () => {
    const tokens = { input: 5_000, cacheRead: 1_000, output: 700 }
    expect(usd(call('claude-4-sonnet-20250514', tokens))).toBe(usd(call('claude-sonnet-4-20250514', tokens)))
  })
})

describe('report rows', () => {
  it.each([
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['gpt-4o-mini', 'gpt-4o-mini'],
    ['claude-sonnet-4-20250514', 'claude-sonnet-4'],
    ['claude-4-sonnet-20250514', 'claude-sonnet-4'],
    ['claude-opus-4-1-20250805', 'claude-opus-4-1'],
    ['claude-opus-4-1', 'claude-opus-4-1'],
  ])('group the dated and undated names of one model: %s shows as %s', (model, shown) => {
    expect(modelDisplayName(model, book)).toBe(shown)
  })

  it('keep the date of a snapshot billed differently from the undated name (gpt-4o-2024-05-13)', () => {
    expect(row('gpt-4o-2024-05-13').input_cost_per_token).not.toBe(row('gpt-4o').input_cost_per_token)
    expect(modelDisplayName('gpt-4o-2024-05-13', book)).toBe('gpt-4o-2024-05-13')
  })
})
