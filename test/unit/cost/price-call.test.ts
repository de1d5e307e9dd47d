import { describe, expect, it } from 'vitest'
import { PriceBook } from '../../../src/cost/price-book.js'
import { type PricedCall, priceCall } from '../../../src/cost/price-call.js'
import type { ModelPrice } from '../../../src/cost/price-table.js'
import { type CallTokens, noTokens } from '../../../src/llm/llm-call.js'

// Rates in USD per million tokens, so the expected costs below can be worked out by hand.
const perM = (usd: number) => usd / 1e6

/** A Sonnet-like price with every dimension: cache read, 5-minute and 1-hour writes, a 200k tier. */
const tiered: ModelPrice = {
  model: 'tiered-model',
  provider: 'anthropic',
  inputPerToken: perM(3),
  outputPerToken: perM(15),
  cachedInputPerToken: perM(0.3),
  cacheCreationInputPerToken: perM(3.75),
  cacheWrite1hPerToken: perM(6),
  tiers: [
    {
      aboveInputTokens: 200_000,
      inputPerToken: perM(6),
      outputPerToken: perM(22.5),
      cachedInputPerToken: perM(0.6),
    },
  ],
}
/** Only base rates, as a version-1 table has them. */
const plain: ModelPrice = {
  model: 'plain-model',
  provider: 'openai',
  inputPerToken: perM(2),
  outputPerToken: perM(8),
}
const reasoner: ModelPrice = { ...plain, model: 'reasoner', reasoningPerToken: perM(20) }
const twoTiers: ModelPrice = {
  ...plain,
  model: 'two-tiers',
  tiers: [
    { aboveInputTokens: 128_000, inputPerToken: perM(4) },
    { aboveInputTokens: 272_000, inputPerToken: perM(10), outputPerToken: perM(20) },
  ],
}
const book = new PriceBook([{ origin: 'bundled', models: [tiered, plain, reasoner, twoTiers] }])

const call = (
  model: string | null,
  tokens: Partial<CallTokens>,
  more: Partial<PricedCall> = {},
): PricedCall => ({
  model,
  provider: null,
  tokens: { ...noTokens(), ...tokens },
  metered: true,
  ownCostUsd: null,
  ...more,
})

describe('priceCall', () => {
  it('bills each kind of prompt token once, at its own rate', () => {
    // 3000 plain x $3 + 4000 cache reads x $0.30 + 2000 5-minute writes x $3.75 + 1000 1-hour writes x $6
    // + 2000 output x $15 (per million) = 0.009 + 0.0012 + 0.0075 + 0.006 + 0.03
    const tokens = {
      input: 10_000,
      cacheRead: 4000,
      cacheWrite5m: 2000,
      cacheWrite1h: 1000,
      output: 2000,
      reasoning: 500,
    }
    expect(priceCall(call('tiered-model', tokens), book)).toEqual({
      status: 'priced',
      usd: 0.0537,
      priceKey: 'tiered-model',
    })
  })

  it('bills reasoning as output unless the table prices it apart', () => {
    const tokens = { input: 1000, output: 2000, reasoning: 500 }
    // 1000 x $2 + 2000 x $8
    expect(priceCall(call('plain-model', tokens), book).usd).toBe(0.018)
    // 1000 x $2 + 1500 x $8 + 500 x $20
    expect(priceCall(call('reasoner', tokens), book).usd).toBe(0.024)
  })

  it('falls back to the input rate for cache tokens and to the 5-minute rate for 1-hour writes', () => {
    const tokens = { input: 1000, cacheRead: 500, cacheWrite5m: 250, cacheWrite1h: 250 }
    expect(priceCall(call('plain-model', tokens), book).usd).toBe(0.002)
    const no1h = new PriceBook([
      { origin: 'bundled', models: [{ ...tiered, cacheWrite1hPerToken: undefined }] },
    ])
    // 1000 1-hour writes at the 5-minute rate, $3.75
    expect(priceCall(call('tiered-model', { input: 1000, cacheWrite1h: 1000 }), no1h).usd).toBe(0.00375)
  })

  it('bills a whole request above the threshold at the tier rates, and one at the threshold at the base', () => {
    expect(priceCall(call('tiered-model', { input: 250_000, output: 1000 }), book).usd).toBe(1.5225)
    expect(priceCall(call('tiered-model', { input: 200_000, output: 1000 }), book).usd).toBe(0.615)
    // The tier names no cache-write rate: the base 5-minute rate applies inside the tier.
    const cached = { input: 300_000, cacheRead: 100_000, cacheWrite5m: 100_000, output: 0 }
    expect(priceCall(call('tiered-model', cached), book).usd).toBe(0.6 + 0.06 + 0.375)
  })

  it('picks the highest tier the prompt exceeds, each rate falling back to the tier below', () => {
    expect(priceCall(call('two-tiers', { input: 100_000, output: 1000 }), book).usd).toBe(0.208)
    expect(priceCall(call('two-tiers', { input: 200_000, output: 1000 }), book).usd).toBe(0.808)
    expect(priceCall(call('two-tiers', { input: 300_000, output: 1000 }), book).usd).toBe(3.02)
  })

  it('lets a report pick the tier by a representative prompt size for summed tokens', () => {
    const summed = call('tiered-model', { input: 1000 })
    expect(priceCall(summed, book).usd).toBe(0.003)
    expect(priceCall(summed, book, { requestInput: 300_000 }).usd).toBe(0.006)
  })

  it("takes the sender's own cost over prices, rounded to a nano-dollar", () => {
    expect(priceCall(call('plain-model', { input: 1e6 }, { ownCostUsd: 0.1234567891234 }), book)).toEqual({
      status: 'own',
      usd: 0.123456789,
      priceKey: 'plain-model',
    })
    expect(priceCall(call('no-such-model', {}, { ownCostUsd: 0.5, metered: false }), book)).toEqual({
      status: 'own',
      usd: 0.5,
      priceKey: null,
    })
  })

  it('never prices an unknown model or an unmetered call as $0', () => {
    expect(priceCall(call('gpt-17-ultra', { input: 1000 }), book)).toEqual({
      status: 'unknown-model',
      usd: null,
      priceKey: null,
    })
    expect(priceCall(call(null, { input: 1000 }), book)).toEqual({
      status: 'unknown-model',
      usd: null,
      priceKey: null,
    })
    expect(priceCall(call('plain-model', {}, { metered: false }), book)).toEqual({
      status: 'unmetered',
      usd: null,
      priceKey: 'plain-model',
    })
    // No token counts: unknowable whatever the price, so unmetered even for a model no table knows.
    expect(priceCall(call('gpt-17-ultra', {}, { metered: false }), book)).toEqual({
      status: 'unmetered',
      usd: null,
      priceKey: null,
    })
  })

  it('prices a metered call that used no tokens at exactly $0', () => {
    expect(priceCall(call('plain-model', {}), book)).toEqual({
      status: 'priced',
      usd: 0,
      priceKey: 'plain-model',
    })
  })

  it('clamps cache and reasoning counts that claim more than the totals', () => {
    // 2000 cache reads claimed of 1000 input: 1000 at the cache rate, none at the input rate.
    expect(priceCall(call('tiered-model', { input: 1000, cacheRead: 2000 }), book).usd).toBe(0.0003)
    expect(priceCall(call('reasoner', { output: 100, reasoning: 500 }), book).usd).toBe(0.002)
  })

  it('rounds float products to a nano-dollar', () => {
    const usd = priceCall(call('plain-model', { input: 3, output: 7 }), book).usd as number
    expect(usd).toBe(0.000062)
    expect(Math.round(usd * 1e9)).toBe(usd * 1e9)
  })
})

describe('PriceBook.tierThresholds', () => {
  it('lists every distinct tier threshold in the table, ascending', () => {
    expect(book.tierThresholds()).toEqual([128_000, 200_000, 272_000])
    expect(new PriceBook([{ origin: 'bundled', models: [plain] }]).tierThresholds()).toEqual([])
  })

  it('prices every call of one tier class exactly from their summed tokens', () => {
    const prompts = [150_000, 180_000, 199_999]
    const singly = prompts.reduce(
      (sum, input) => sum + (priceCall(call('two-tiers', { input, output: 10 }), book).usd as number),
      0,
    )
    const classes = book.tierThresholds()
    // All three prompts lie between 128k and 200k: one class, priced at any of its members' sizes.
    expect(new Set(prompts.map((p) => classes.filter((t) => p > t).length)).size).toBe(1)
    const summed = call('two-tiers', { input: prompts.reduce((a, b) => a + b), output: 30 })
    expect(priceCall(summed, book, { requestInput: prompts[0] }).usd).toBeCloseTo(singly, 9)
  })
})
