import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { ExitCode, GoblinError, unreachableError, usageError } from '../core/errors.js'
import { goblinHome, homePaths } from '../core/paths.js'
import { type ParsedPriceFile, parsePriceFile } from './price-file.js'
import type { PriceTable } from './price-table.js'

/** The imported table lives here; the bundled tables ship in the package. */
export function importedPricesPath(home: string = goblinHome()): string {
  return join(homePaths.prices(home), 'prices.json')
}

/** LiteLLM's price file, which `cost prices refresh` fetches. */
export const LITELLM_PRICES_URL =
  'https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json'

/** How long an import waits for a price URL. */
export const PRICE_FETCH_TIMEOUT_MS = 15_000
/** LiteLLM's file is ~1.6 MB; anything far larger is not a price file. */
const MAX_PRICE_FILE_BYTES = 64 * 1024 * 1024

/** Generated at build by scripts/bundle-prices.js from @pydantic/genai-prices (not kept in git). */
export const BUNDLED_PRICES_FILE = 'prices/genai-prices.json'
/** Generated at build by scripts/bundle-prices.js from LiteLLM's whole table in vendor/litellm (not kept in git). */
export const LITELLM_PRICES_FILE = 'prices/litellm-prices.json'

/**
 * Referenced as a type so tsc copies the hand-kept table next to this module in dist; read with readFileSync
 * so that the collector's synchronous ingest path can price spans too.
 */
type OverridesFile = typeof import('./prices/overrides.json', { with: { type: 'json' }})

/** One of the tables that ship with goblin, lowest precedence first. */
export interface ShippedTable {
  origin: 'bundled' | 'override'
  table: PriceTable
}

let shipped: ShippedTable[] | undefined

/**
 * The tables that ship with goblin, lowest precedence first: the genai-prices database (every model it
 * prices), LiteLLM's whole table (which overrides it for the names both list), and goblin's overrides for
 * models neither lists yet (src/cost/prices/overrides.json, each with its source).
 */
export function shippedPriceTables(): ShippedTable[] {
  if (!shipped) {
    shipped = [
      // Written by goblin's own build, or kept by hand in git (the overrides), and checked by its tests
      // (test/unit/cost/shipped-prices.test.ts): read without a second validation, which would cost more than
      // the parse itself (and loading zod) on every command.
      { origin: 'bundled', table: JSON.parse(readGeneratedTable(BUNDLED_PRICES_FILE)) as PriceTable },
      { origin: 'bundled', table: JSON.parse(readGeneratedTable(LITELLM_PRICES_FILE)) as PriceTable },
      { origin: 'override', table: readShipped('./prices/overrides.json') as OverridesFile as PriceTable },
    ]
  }
  return shipped
}

function readShipped(path: string): unknown {
  return JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'))
}

/** A built table beside the compiled module; run from the sources (tests), the one the last build wrote. */
function readGeneratedTable(file: string): string {
  for (const url of [
    new URL(`./${file}`, import.meta.url),
    new URL(`../../dist/src/cost/${file}`, import.meta.url),
  ]) {
    try {
      return readFileSync(url, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
  throw new GoblinError('PRICES_NOT_BUILT', `the bundled price table (${file}) is missing`, {
    hint: 'This goblin was not built completely: run `npm run build` (it writes the table after tsc).',
    exit: ExitCode.notOk,
  })
}

/**
 * The SHA-256 of the imported table as `importPrices` wrote it, beside it: a table whose bytes still match was
 * validated when imported and is read without validating again (zod over LiteLLM's 2,500 entries costs a
 * command about 150 ms); an edited, replaced or half-written one does not match and is validated in full.
 */
function importedDigestPath(home: string): string {
  return `${importedPricesPath(home)}.sha256`
}

/** The imported table, or null when none was imported. A damaged file is an error naming it. */
export function readImportedPrices(home: string = goblinHome()): PriceTable | null {
  const path = importedPricesPath(home)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  if (readDigest(importedDigestPath(home)) === sha256(text)) return JSON.parse(text) as PriceTable
  return parsePriceFile(text, path, { takenAt: '1970-01-01', source: path }).table
}

function readDigest(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

export interface PriceImportResult {
  source: string
  format: ParsedPriceFile['format']
  models: number
  skipped: number
  takenAt: string
  path: string
}

/**
 * Imports prices from a file or an http(s) URL (goblin's format or LiteLLM's), validates them, and only then
 * replaces the imported table, atomically (temp file + rename): a bad file leaves the previous table in place.
 */
export async function importPrices(options: {
  source: string
  home?: string
  now?: Date
  timeoutMs?: number
}): Promise<PriceImportResult> {
  const home = options.home ?? goblinHome()
  const isUrl = /^https?:\/\//i.test(options.source)
  const source = isUrl ? options.source : resolve(options.source)
  const text = isUrl
    ? await fetchPriceText(source, options.timeoutMs ?? PRICE_FETCH_TIMEOUT_MS)
    : await readPriceFile(source)
  const today = (options.now ?? new Date()).toISOString().slice(0, 10)
  const parsed = parsePriceFile(text, options.source, { takenAt: today, source })
  const path = importedPricesPath(home)
  const content = `${JSON.stringify(parsed.table, null, 1)}\n`
  // The digest first: a crash between the two renames leaves a digest that matches no table, so the old
  // table is validated on read rather than trusted.
  writeAtomically(importedDigestPath(home), `${sha256(content)}\n`)
  writeAtomically(path, content)
  return {
    source,
    format: parsed.format,
    models: parsed.table.models.length,
    skipped: parsed.skipped,
    takenAt: parsed.table.takenAt,
    path,
  }
}

async function readPriceFile(path: string): Promise<string> {
  try {
    if (statSync(path).size > MAX_PRICE_FILE_BYTES) {
      throw usageError('PRICES_TOO_LARGE', `${path}: larger than ${MAX_PRICE_FILE_BYTES} bytes`)
    }
    return await readFile(path, 'utf8')
  } catch (error) {
    if (error instanceof GoblinError) throw error
    throw usageError(
      'PRICES_UNREADABLE',
      `${path}: cannot read the price file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      'Check the path, or pass an http(s) URL.',
    )
  }
}

async function fetchPriceText(url: string, timeoutMs: number): Promise<string> {
  let response: Response
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
  } catch (error) {
    throw unreachableError(
      'PRICES_UNREACHABLE',
      `cannot fetch ${url}: ${(error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : ((error as Error).cause as Error)?.message || (error as Error).message}`,
      'Check the URL and the network, or download the file and import it from disk.',
      error,
    )
  }
  if (!response.ok) {
    throw unreachableError(
      'PRICES_UNREACHABLE',
      `${url} answered HTTP ${response.status}`,
      'Check the URL; the previous price table is kept.',
    )
  }
  const text = await response.text()
  if (text.length > MAX_PRICE_FILE_BYTES) {
    throw usageError('PRICES_TOO_LARGE', `${url}: larger than ${MAX_PRICE_FILE_BYTES} bytes`)
  }
  return text
}

/** Writes a whole file or nothing: a crash mid-write never leaves a half-written table. */
function writeAtomically(path: string, content: string): void {
  const dir = resolve(path, '..')
  mkdirSync(dir, { recursive: true })
  const temp = join(dir, `.prices.${process.pid}.${Date.now()}.tmp`)
  writeFileSync(temp, content, { mode: 0o644 })
  renameSync(temp, path)
}
