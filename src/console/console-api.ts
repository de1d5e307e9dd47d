import { existsSync, readFileSync, statSync } from 'node:fs'
import type { ReadRoutes } from '../collector/collector.js'
import type { HttpAnswer } from '../collector/otlp-receiver.js'
import type { SpanStore } from '../collector/span-store.js'
import { type GoblinError, isGoblinError } from '../core/errors.js'
import type { LoadedPrices } from '../cost/price-sources.js'
import type { HookRunner } from '../plugins/hook-runner.js'
import { type ConsoleAssets, loadConsoleAssets, serveConsoleAsset } from './console-assets.js'

/**
 * The console's read endpoints (docs/console.md has the route table), beside the Tempo-shaped query API:
 * each answers with the figures of the command it mirrors, computed by that command's own function, so
 * the page shows what `goblin trace show`, `cost report`, `cost check` and `audit verify` print.
 *   GET /api/goblin/traces/{id, prefix or latest}/waterfall   the waterfall model (`trace show`), every span
 *   GET /api/goblin/cost/report?since=&until=&by=     `cost report --json`
 *   GET /api/goblin/cost/check                        `cost check --json`
 *   GET /api/goblin/audit/summary                     log size, checkpoints, receipts, keys, `audit verify`
 *   GET /api/goblin/audit/entries?trace_id=&goblin=&action=&decision=&limit=   ledger lines, verbatim
 *   GET /api/goblin/audit/proofs?index=I,J,...        the latest checkpoint's note and the entries' proofs
 * Audit answers carry the ledger's bytes and proofs, never verdicts the page must trust: the page checks
 * signatures and inclusion itself (console/src/verify.ts).
 */

export interface ConsoleOptions {
  /** GOBLIN_HOME: the price tables and the span store the cost functions read. */
  home: string
  ledgerDir: string
  keysDir: string
  /** oclif's plugin hooks, so plugin price sources count here as in `cost report`. */
  hooks?: HookRunner
  /** The built page; default dist/console. */
  assets?: ConsoleAssets
}

const SHORT_ID = /^[0-9a-f]{4,32}$/
const PRICES_TTL_MS = 10_000
const DEFAULT_ENTRY_LIMIT = 200
const MAX_ENTRY_LIMIT = 10_000
/** Proofs one request may ask for: the indexes travel in the URL, which Node caps at 16 KB of headers. */
const MAX_PROOF_INDEXES = 1_000

/** The console's page and read endpoints, as one handler for `startCollector`'s `readRoutes`. */
export function consoleRoutes(options: ConsoleOptions): ReadRoutes {
  const assets = options.assets ?? loadConsoleAssets()
  let prices: { at: number; loaded: Promise<LoadedPrices> } | undefined
  const loadPricesCached = async () => {
    if (!prices || Date.now() - prices.at > PRICES_TTL_MS) {
      const { loadPrices } = await import('../cost/price-sources.js')
      prices = { at: Date.now(), loaded: loadPrices({ home: options.home, hooks: options.hooks }) }
    }
    return prices.loaded
  }
  return async (url, store) => {
    const asset = serveConsoleAsset(url.pathname, assets)
    if (asset) return asset
    const path = url.pathname
    try {
      const waterfall = /^\/api\/goblin\/traces\/([^/]+)\/waterfall$/.exec(path)
      if (waterfall) return await traceWaterfall(waterfall[1] as string, store, loadPricesCached)
      if (path === '/api/goblin/cost/report') return await costReport(url.searchParams, options)
      if (path === '/api/goblin/cost/check') {
        const { checkBudgets } = await import('../cost/budget-check.js')
        return json(200, await checkBudgets({ home: options.home, hooks: options.hooks }))
      }
      if (path === '/api/goblin/audit/summary') return json(200, await auditSummary(options))
      if (path === '/api/goblin/audit/entries') return await auditEntries(url.searchParams, options)
      if (path === '/api/goblin/audit/proofs') return await auditProofs(url.searchParams, options)
    } catch (error) {
      if (isGoblinError(error)) return goblinErrorAnswer(error)
      throw error
    }
    return null
  }
}

/** The waterfall of a trace named by its id or a unique prefix of at least 4 hex digits. */
async function traceWaterfall(
  id: string,
  store: SpanStore,
  loadPrices: () => Promise<LoadedPrices>,
): Promise<HttpAnswer> {
  const wanted = id.toLowerCase()
  if (wanted === 'latest') {
    // As `trace show latest`: the trace that started last.
    const [newest] = store.search({ limit: 1 })
    if (!newest) return json(404, { error: 'no traces are stored yet', code: 'TRACE_NOT_FOUND' })
    return traceWaterfall(newest.traceID, store, loadPrices)
  }
  if (!SHORT_ID.test(wanted))
    return json(400, { error: `"${id}" is not a trace id: give 4 to 32 hex digits`, code: 'BAD_TRACE_ID' })
  const matches = wanted.length === 32 ? [wanted] : store.traceIdsWithPrefix(wanted, 10)
  if (matches.length > 1)
    return json(409, {
      error: `${wanted} is the start of ${matches.length === 10 ? '10 or more' : matches.length} trace ids: give more digits`,
      code: 'TRACE_ID_AMBIGUOUS',
      candidates: matches,
    })
  const spans = matches[0] ? store.getTrace(matches[0]) : []
  if (spans.length === 0)
    return json(404, { error: `no stored trace id starts with ${wanted}`, code: 'TRACE_NOT_FOUND' })
  const [{ buildWaterfall }, { priceCall }, { book }] = await Promise.all([
    import('../trace/waterfall.js'),
    import('../cost/price-call.js'),
    loadPrices(),
  ])
  // The model `goblin trace show --all` renders, priced as it prices: its costUsd is the trace's total.
  const model = buildWaterfall(spans, {
    maxChildren: Number.POSITIVE_INFINITY,
    price: (call) => priceCall(call, book).usd,
    calls: store.traceCalls(matches[0] as string),
  })
  return json(200, model)
}

async function costReport(params: URLSearchParams, options: ConsoleOptions): Promise<HttpAnswer> {
  const { buildCostReport } = await import('../cost/cost-report.js')
  const by = params.get('by')
  const report = await buildCostReport({
    since: params.get('since') ?? undefined,
    until: params.get('until') ?? undefined,
    by: by ? [by] : undefined,
    home: options.home,
    hooks: options.hooks,
  })
  return json(200, report)
}

/** Log size, checkpoints with their receipts, the trusted keys, and `audit verify`'s offline report. */
async function auditSummary(options: ConsoleOptions) {
  const [{ listCheckpoints }, { parseCheckpoint }, { anchorPaths, parseReceipt }, keyring, ledger] =
    await Promise.all([
      import('../audit/checkpoint-store.js'),
      import('../audit/checkpoint.js'),
      import('../anchor/receipt.js'),
      import('../audit/keyring.js'),
      import('../audit/ledger.js'),
    ])
  const lines = ledger.splitLedgerLines(await ledger.readLedgerSnapshot(options.ledgerDir))
  const checkpoints = listCheckpoints(options.ledgerDir).map((stored) => {
    const body = stored.note.slice(0, stored.note.lastIndexOf('\n\n') + 1)
    let parsed: { origin: string; size: number; root: string } | { error: string }
    try {
      const c = parseCheckpoint(body, stored.path)
      parsed = { origin: c.origin, size: c.size, root: Buffer.from(c.root).toString('hex') }
    } catch (error) {
      parsed = { error: (error as Error).message }
    }
    const receiptPath = anchorPaths(options.ledgerDir, stored.size).receipt
    return {
      ...parsed,
      file: stored.path,
      writtenAt: statSync(stored.path).mtime.toISOString(),
      note: stored.note,
      receipt: existsSync(receiptPath) ? parseReceipt(readFileSync(receiptPath, 'utf8'), receiptPath) : null,
    }
  })
  const keys = keyring.loadKeyring(options.keysDir).keys.map((record) => ({
    kid: record.kid,
    vkey: record.vkey,
    status: keyring.keyStatus(record),
  }))
  return {
    ledger: options.ledgerDir,
    entries: lines.count,
    tornLine: lines.torn?.line ?? null,
    checkpoints,
    keys,
    verification: await verification(options),
  }
}

/** `goblin audit verify` (offline, anchors included) as the page shows it, or why it could not run. */
async function verification(options: ConsoleOptions) {
  const [{ verifyLedger }, { resolveTrustedKeys }, { withAnchorChecks }] = await Promise.all([
    import('../audit/verify.js'),
    import('../audit/trust.js'),
    import('../anchor/verify-hook.js'),
  ])
  try {
    const trusted = resolveTrustedKeys({ keysDir: options.keysDir })
    const report = await verifyLedger(options.ledgerDir, trusted)
    return { at: new Date().toISOString(), ...(await withAnchorChecks(report, options.ledgerDir, {})) }
  } catch (error) {
    if (!isGoblinError(error)) throw error
    return { at: new Date().toISOString(), error: error.message, code: error.code }
  }
}

/** Ledger lines (newest first) whose envelope matches every given field; each line verbatim. */
async function auditEntries(params: URLSearchParams, options: ConsoleOptions): Promise<HttpAnswer> {
  const { readLedgerSnapshot, splitLedgerLines } = await import('../audit/ledger.js')
  const limitText = params.get('limit') ?? String(DEFAULT_ENTRY_LIMIT)
  const limit = Number(limitText)
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ENTRY_LIMIT)
    return json(400, { error: `limit ${limitText}: give an integer from 1 to ${MAX_ENTRY_LIMIT}` })
  const filters: Array<[string, string]> = []
  for (const [param, field] of [
    ['trace_id', 'trace_id'],
    ['goblin', 'goblin_id'],
    ['action', 'action'],
    ['decision', 'decision'],
  ] as const) {
    const value = params.get(param)
    if (value) filters.push([field, param === 'trace_id' ? value.toLowerCase() : value])
  }
  const bytes = await readLedgerSnapshot(options.ledgerDir)
  const lines = splitLedgerLines(bytes)
  const entries: Array<{ index: number; line: string }> = []
  let matched = 0
  for (let i = lines.count - 1; i >= 0; i--) {
    const line = bytes.subarray(lines.starts[i], lines.ends[i]).toString('utf8')
    if (filters.length > 0 && !matchesFilters(line, filters)) continue
    matched++
    if (entries.length < limit) entries.push({ index: i, line })
  }
  return json(200, { size: lines.count, matched, entries })
}

function matchesFilters(line: string, filters: Array<[string, string]>): boolean {
  let envelope: Record<string, unknown>
  try {
    envelope = JSON.parse(line) as Record<string, unknown>
  } catch {
    // An unreadable line matches no filter; `audit verify` (the summary) reports it.
    return false
  }
  return filters.every(([field, value]) => envelope[field] === value)
}

/**
 * The latest checkpoint's signed note and, for each entry of `index=1,5,9`, its inclusion proof in it
 * (null for an entry the checkpoint does not cover yet), from one read of the ledger.
 */
async function auditProofs(params: URLSearchParams, options: ConsoleOptions): Promise<HttpAnswer> {
  const text = params.get('index') ?? ''
  const parts = text.split(',')
  if (!parts.every((p) => /^(0|[1-9][0-9]{0,15})$/.test(p)) || parts.length > MAX_PROOF_INDEXES)
    return json(400, {
      error: `index=${text.slice(0, 40)}: give up to ${MAX_PROOF_INDEXES} entry indexes (integers >= 0), comma-separated`,
    })
  const indexes = parts.map(Number)
  const [{ latestCheckpoint }, { proveInclusions }] = await Promise.all([
    import('../audit/checkpoint-store.js'),
    import('../audit/proofs.js'),
  ])
  const latest = latestCheckpoint(options.ledgerDir)
  if (!latest) return json(200, { checkpoint: null, proofs: indexes.map(() => null) })
  const size = latest.checkpoint.size
  const covered = indexes.filter((i) => i < size)
  const proofs = new Map((await proveInclusions(options.ledgerDir, covered, size)).map((p) => [p.index, p]))
  return json(200, {
    checkpoint: { size, note: latest.note },
    proofs: indexes.map((i) => proofs.get(i) ?? null),
  })
}

function goblinErrorAnswer(error: GoblinError): HttpAnswer {
  return json(error.exit === 2 ? 400 : 500, { error: error.message, code: error.code, hint: error.hint })
}

function json(status: number, body: unknown): HttpAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
}
