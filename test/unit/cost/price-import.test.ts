import { readFileSync, writeFileSync } from 'node:fs'
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

  it('keeps per-token entries and skips sample_spec and entries priced per image, second, query or tier', () => {
    const { table, skipped } = fromLiteLlm(doc, 'fixture', meta)
    const names = table.models.map((m) => m.model)
    expect(names).not.toContain('sample_spec')
    expect(names).not.toContain('1024-x-1024/dall-e-2')
    expect(names).not.toContain('bedrock/*/1-month-commitment/cohere.command-text-v14')
    expect(names).not.toContain('dashscope/qwen-flash')
    expect(names).not.toContain('perplexity/search')
    expect(skipped).toBe(4)
    expect(table.models).toHaveLength(11)
  })

  it('maps the cost fields, provider and mode', () => {
    const { table } = fromLiteLlm(doc, 'fixture', meta)
    const sonnet = table.models.find((m) => m.model === 'claude-sonnet-4-5-20250929')
    expect(sonnet).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      provider: 'anthropic',
      inputPerToken: 3e-6,
      outputPerToken: 1.5e-5,
      cachedInputPerToken: 3e-7,
      cacheCreationInputPerToken: 3.75e-6,
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
    expect(first).toMatchObject({ format: 'litellm', models: 11, skipped: 4, takenAt: '2026-11-20' })
    const before = readFileSync(importedPricesPath(home.path), 'utf8')
    const broken = join(home.path, 'broken.json')
    writeFileSync(broken, '{"gpt-4o": {"input_cost_per_token": -3}}')
    await expect(importPrices({ source: broken, home: home.path })).rejects.toMatchObject({ exit: 2 })
    expect(readFileSync(importedPricesPath(home.path), 'utf8')).toBe(before)
    expect(readImportedPrices(home.path)?.models).toHaveLength(11)
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
