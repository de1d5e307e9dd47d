import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { GoblinError } from '../../../src/core/errors.js'
import { fromLiteLlm } from '../../../src/cost/litellm-prices.js'
import { parsePriceFile } from '../../../src/cost/price-file.js'
import { importedPricesPath, importPrices, readImportedPrices } from '../../../src/cost/price-store.js'
import { REPO_ROOT, tempDir } from '../../helpers/cli.js'

const FIXTURE = join(REPO_ROOT, 'test/fixtures/cost/litellm-model-prices.trimmed.json')
const meta = { takenAt: '2026-11-26', source: 'test' }

function thrown(fn: () => unknown): GoblinError {
  try {
    fn()
  } catch (error) {
    if (error instanceof GoblinError) return error
    throw error
  }
  throw new Error('expected a GoblinError')
}

describe('LiteLLM price file', () => {
  const doc = JSON.parse(readFileSync(FIXTURE, 'utf8'))

  it('keeps per-token entries and skips sample_spec and entries priced per image, second or query', () => {
    const { table, skipped } = fromLiteLlm(doc, 'fixture', meta)
    const names = table.models.map((m) => m.model)
    expect(names).not.toContain('sample_spec')
    expect(names).not.toContain('1024-x-1024/dall-e-2')
    expect(names).not.toContain('bedrock/*/1-month-commitment/cohere.command-text-v14')
    expect(names).not.toContain('perplexity/search')
    expect(skipped).toBe(3)
    expect(table.models).toHaveLength(12)
  })

  it('reads prompt-size tiers, 1-hour cache writes and tiered_pricing ranges', () => {
    const { table } = fromLiteLlm(doc, 'fixture', meta)
    const model = (key: string) => table.models.find((m) => m.model === key)
    expect(model('claude-sonnet-4-5-20250929')).toMatchObject({
      cacheCreationInputPerToken: 3.75e-6,
      cacheWrite1hPerToken: 6e-6,
      tiers: [
        {
          aboveInputTokens: 200_000,
          inputPerToken: 6e-6,
          outputPerToken: 2.25e-5,
          cachedInputPerToken: 6e-7,
          cacheCreationInputPerToken: 7.5e-6,
          cacheWrite1hPerToken: 1.2e-5,
        },
      ],
    })
    expect(model('gemini/gemini-2.5-pro')?.tiers).toEqual([
      {
        aboveInputTokens: 200_000,
        inputPerToken: 2.5e-6,
        outputPerToken: 1.5e-5,
        cachedInputPerToken: 2.5e-7,
      },
    ])
    // Priority and batch rates are service tiers, not prompt-size tiers.
    expect(model('gpt-4o')?.tiers).toBeUndefined()
    expect(model('dashscope/qwen-flash')).toMatchObject({
      inputPerToken: 5e-8,
      outputPerToken: 4e-7,
      tiers: [{ aboveInputTokens: 256_000, inputPerToken: 2.5e-7, outputPerToken: 2e-6 }],
    })
  })

  it('prices reasoning tokens apart only where LiteLLM does', () => {
    const entry = { input_cost_per_token: 1e-6, output_cost_per_token: 4e-6, litellm_provider: 'x' }
    const { table } = fromLiteLlm(
      {
        plain: entry,
        thinker: { ...entry, output_cost_per_reasoning_token: 8e-6 },
        last_updated: '2026-07-24',
      },
      'p',
      meta,
    )
    expect(table.models.map((m) => [m.model, m.reasoningPerToken])).toEqual([
      ['plain', undefined],
      ['thinker', 8e-6],
    ])
  })

  it('names the range and field of a malformed tiered_pricing', () => {
    const bad = (tiered_pricing: unknown) => () =>
      fromLiteLlm({ q: { litellm_provider: 'dashscope', tiered_pricing } }, 'prices.json', meta)
    expect(thrown(bad([{ range: [0, 10], input_cost_per_token: 'cheap' }])).message).toBe(
      'prices.json: model "q": tiered_pricing[0].input_cost_per_token must be a non-negative number, got "cheap"',
    )
    expect(thrown(bad([{ range: [1000, 2000], input_cost_per_token: 1e-6 }])).message).toContain(
      'tiered_pricing has no range from 0 tokens',
    )
    expect(thrown(bad([{ range: ['a'] }])).message).toContain(
      'tiered_pricing[0].range must start with a whole number',
    )
    expect(thrown(bad('cheap')).code).toBe('PRICES_MALFORMED')
  })

  it('maps the cost fields, provider and mode', () => {
    const { table } = fromLiteLlm(doc, 'fixture', meta)
    const haiku = table.models.find((m) => m.model === 'claude-haiku-4-5-20251001')
    expect(haiku).toEqual({
      model: 'claude-haiku-4-5-20251001',
      provider: 'anthropic',
      inputPerToken: 1e-6,
      outputPerToken: 5e-6,
      cachedInputPerToken: 1e-7,
      cacheCreationInputPerToken: 1.25e-6,
      cacheWrite1hPerToken: 2e-6,
      mode: 'chat',
    })
    const embed = table.models.find((m) => m.model === 'embed-english-v3.0')
    expect(embed?.outputPerToken).toBe(0)
    expect(embed?.mode).toBe('embedding')
    expect(table.models.find((m) => m.model === 'gpt-4o')?.cacheCreationInputPerToken).toBeUndefined()
  })

  it('rejects a negative or non-numeric price, naming the model and field', () => {
    const bad = {
      'gpt-x': { input_cost_per_token: 'free', output_cost_per_token: 1e-6, litellm_provider: 'openai' },
    }
    const error = thrown(() => fromLiteLlm(bad, 'prices.json', meta))
    expect(error.exit).toBe(2)
    expect(error.message).toContain('prices.json: model "gpt-x": input_cost_per_token')
    const negative = { 'gpt-x': { input_cost_per_token: -1, litellm_provider: 'openai' } }
    expect(thrown(() => fromLiteLlm(negative, 'p', meta)).code).toBe('PRICES_MALFORMED')
  })

  it('rejects a file with no per-token price at all', () => {
    const error = thrown(() =>
      fromLiteLlm(
        { sample_spec: {}, 'dall-e-3': { input_cost_per_image: 0.04, litellm_provider: 'openai' } },
        'p',
        meta,
      ),
    )
    expect(error.code).toBe('PRICES_EMPTY')
  })
})

describe('parsePriceFile', () => {
  it('detects LiteLLM and goblin formats', () => {
    const litellm = parsePriceFile(readFileSync(FIXTURE, 'utf8'), 'f', meta)
    expect(litellm.format).toBe('litellm')
    const again = parsePriceFile(JSON.stringify(litellm.table), 'g', meta)
    expect(again.format).toBe('goblin')
    expect(again.table).toEqual(litellm.table)
  })

  it('names the problem in malformed input', () => {
    expect(thrown(() => parsePriceFile('{"gpt-4o": {', 'broken.json', meta)).message).toMatch(
      /^broken\.json: not valid JSON/,
    )
    expect(thrown(() => parsePriceFile('[1,2]', 'a.json', meta)).code).toBe('PRICES_UNKNOWN_FORMAT')
    const table = {
      format: 'goblin-prices',
      version: 1,
      takenAt: '2026-01-01',
      source: 's',
      models: [{ model: 'm' }],
    }
    expect(thrown(() => parsePriceFile(JSON.stringify(table), 'own.json', meta)).message).toContain(
      'own.json: models.0.provider',
    )
    const tiered = {
      ...table,
      version: 2,
      models: [{ model: 'm', provider: 'p', inputPerToken: 1, outputPerToken: 1 }],
    }
    const badTiers = [
      { aboveInputTokens: 200_000, inputPerToken: 2 },
      { aboveInputTokens: 128_000, inputPerToken: 3 },
    ]
    expect(
      thrown(() =>
        parsePriceFile(
          JSON.stringify({ ...tiered, models: [{ ...tiered.models[0], tiers: badTiers }] }),
          't.json',
          meta,
        ),
      ).message,
    ).toBe('t.json: models.0.tiers: tiers are listed by strictly ascending aboveInputTokens')
  })

  it('reads a version-1 table and refuses version-2 fields in it', () => {
    const v1 = {
      format: 'goblin-prices',
      version: 1,
      takenAt: '2026-01-01',
      source: 's',
      models: [
        { model: 'm', provider: 'p', inputPerToken: 1e-6, outputPerToken: 2e-6, cachedInputPerToken: 1e-7 },
      ],
    }
    const read = parsePriceFile(JSON.stringify(v1), 'v1.json', meta)
    expect(read.table.version).toBe(2)
    expect(read.table.models).toEqual(v1.models)
    const mixed = { ...v1, models: [{ ...v1.models[0], cacheWrite1hPerToken: 1e-6 }] }
    expect(thrown(() => parsePriceFile(JSON.stringify(mixed), 'v1.json', meta)).message).toContain(
      'v1.json: models.0: Unrecognized key: "cacheWrite1hPerToken"',
    )
    expect(
      thrown(() => parsePriceFile(JSON.stringify({ ...v1, version: 3 }), 'v3.json', meta)).message,
    ).toContain('v3.json: version')
  })
})

describe('importPrices', () => {
  let home: { path: string; cleanup: () => void }
  beforeEach(() => {
    home = tempDir()
  })
  afterEach(() => home.cleanup())

  it('stores a validated table and keeps it when a later import is malformed', async () => {
    const first = await importPrices({
      source: FIXTURE,
      home: home.path,
      now: new Date('2026-11-20T10:00:00Z'),
    })
    expect(first).toMatchObject({ format: 'litellm', models: 12, skipped: 3, takenAt: '2026-11-20' })
    const before = readFileSync(importedPricesPath(home.path), 'utf8')
    const broken = join(home.path, 'broken.json')
    writeFileSync(broken, '{"gpt-4o": {"input_cost_per_token": -3}}')
    await expect(importPrices({ source: broken, home: home.path })).rejects.toMatchObject({ exit: 2 })
    expect(readFileSync(importedPricesPath(home.path), 'utf8')).toBe(before)
    expect(readImportedPrices(home.path)?.models).toHaveLength(12)
  })

  it('trusts the stored table only while its bytes are the ones it imported', async () => {
    await importPrices({ source: FIXTURE, home: home.path })
    const path = importedPricesPath(home.path)
    const stored = readImportedPrices(home.path)
    expect(stored?.models).toHaveLength(12)
    // Edited by hand into a table that parses but holds a negative price: validated, so refused.
    writeFileSync(
      path,
      readFileSync(path, 'utf8').replace('"inputPerToken": 0.000003,', '"inputPerToken": -3,'),
    )
    expect(() => readImportedPrices(home.path)).toThrow(/models\.\d+\.inputPerToken/)
    // A table without its digest (written by an older goblin, or the digest lost) is validated too.
    await importPrices({ source: FIXTURE, home: home.path })
    rmSync(`${path}.sha256`)
    expect(readImportedPrices(home.path)).toEqual(stored)
  })

  it('is a usage error for a missing file', async () => {
    await expect(
      importPrices({ source: join(home.path, 'nope.json'), home: home.path }),
    ).rejects.toMatchObject({
      code: 'PRICES_UNREADABLE',
      exit: 2,
    })
    expect(readImportedPrices(home.path)).toBeNull()
  })
})
