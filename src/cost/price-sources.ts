import { goblinHome } from '../core/paths.js'
import { COST_PRICES_HOOK, costPricesAnswer } from '../plugins/contracts.js'
import { collectHook, type HookRunner, type PluginProblem } from '../plugins/hook-runner.js'
import { PriceBook, type PriceLayer } from './price-book.js'
import { readImportedPrices, shippedPriceTables } from './price-store.js'
import type { PriceOrigin } from './price-table.js'

export interface PriceTableInfo {
  origin: PriceOrigin
  source: string
  takenAt?: string
  models: number
}

export interface LoadedPrices {
  book: PriceBook
  tables: PriceTableInfo[]
  /** Plugins whose `goblin:cost-prices` hook failed; callers show them as warnings. */
  problems: PluginProblem[]
}

/**
 * The prices in force: the tables that ship with goblin (genai-prices, LiteLLM's common models, goblin's
 * overrides), overridden by the imported table, overridden by plugin prices (the `goblin:cost-prices` hook),
 * each for the models it names.
 */
export async function loadPrices(options: { home?: string; hooks?: HookRunner } = {}): Promise<LoadedPrices> {
  const { layers, tables } = tableLayers(options.home ?? goblinHome())
  let problems: PluginProblem[] = []
  if (options.hooks) {
    const collected = await collectHook(options.hooks, COST_PRICES_HOOK, costPricesAnswer)
    problems = collected.problems
    for (const { plugin, value } of collected.results) {
      const origin = `plugin:${plugin}` as const
      layers.push({ origin, models: value.prices })
      tables.push({ origin, source: value.source, models: value.prices.length })
    }
  }
  return { book: new PriceBook(layers), tables, problems }
}

/**
 * The shipped and imported prices, read synchronously: what the collector prices spans with as they arrive
 * (plugin prices need the CLI's plugin runner, so only reports and checks apply them).
 */
export function loadTablePrices(home: string = goblinHome()): PriceBook {
  return new PriceBook(tableLayers(home).layers)
}

function tableLayers(home: string): { layers: PriceLayer[]; tables: PriceTableInfo[] } {
  const shipped = shippedPriceTables()
  const layers: PriceLayer[] = shipped.map(({ origin, table }) => ({ origin, models: table.models }))
  const tables: PriceTableInfo[] = shipped.map(({ origin, table }) => ({
    origin,
    source: table.source,
    takenAt: table.takenAt,
    models: table.models.length,
  }))
  const imported = readImportedPrices(home)
  if (imported) {
    layers.push({ origin: 'imported', models: imported.models })
    tables.push({
      origin: 'imported',
      source: imported.source,
      takenAt: imported.takenAt,
      models: imported.models.length,
    })
  }
  return { layers, tables }
}
