// Price-table benchmark: what loading the price tables costs a command, and how much of LiteLLM's table the
// bundled genai-prices database covers. Run with `npm run bench:prices` (builds first).
// Environment: BENCH_RUNS (default 15); LITELLM_PRICES, a path to LiteLLM's model_prices_and_context_window.json
// (goblin does not ship that file): with it, the coverage figures and the full-table start-up are measured too.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const { fromLiteLlm } = await import('../dist/src/cost/litellm-prices.js')
const { PriceBook } = await import('../dist/src/cost/price-book.js')
const { loadTablePrices } = await import('../dist/src/cost/price-sources.js')
const { shippedPriceTables } = await import('../dist/src/cost/price-store.js')

const runs = Number(process.env.BENCH_RUNS ?? 15)
const litellmPath = process.env.LITELLM_PRICES
const bin = new URL('../bin/run.js', import.meta.url).pathname
const home = mkdtempSync(join(tmpdir(), 'goblin-bench-prices-'))

/** Median of `runs` timings of `fn` (ms), after two warm-up runs. */
function median(fn) {
  const times = []
  for (let i = 0; i < runs + 2; i++) {
    const start = process.hrtime.bigint()
    fn()
    if (i >= 2) times.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]
}

function spawnMs(args, env) {
  return median(() => {
    const result = spawnSync(process.execPath, args, {
      env: { ...process.env, CI: 'true', ...env },
      stdio: 'ignore',
    })
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`)
  })
}

// 1. Start-up, against a bare node in the same run.
const shippedHome = join(home, 'shipped')
const rows = [
  ['node -e 0 (baseline)', spawnMs(['-e', '0'], {})],
  [
    'cost report --json, shipped tables',
    spawnMs([bin, 'cost', 'report', '--json'], { GOBLIN_HOME: shippedHome }),
  ],
]
let litellm
if (litellmPath) {
  litellm = JSON.parse(readFileSync(litellmPath, 'utf8'))
  const importedHome = join(home, 'imported')
  const imported = spawnSync(process.execPath, [bin, 'cost', 'prices', 'import', litellmPath], {
    env: { ...process.env, GOBLIN_HOME: importedHome },
  })
  if (imported.status !== 0) throw new Error(`import failed: ${imported.stderr}`)
  rows.push([
    'cost report --json, + full LiteLLM imported',
    spawnMs([bin, 'cost', 'report', '--json'], { GOBLIN_HOME: importedHome }),
  ])
}
const baseline = rows[0][1]
console.log(`start-up, median of ${runs} runs, node ${process.version}`)
for (const [name, ms] of rows)
  console.log(
    `  ${name.padEnd(44)} ${ms.toFixed(1).padStart(7)} ms   ${(ms / baseline).toFixed(2)}x baseline`,
  )

// 2. What loading the tables adds to a fresh process: modules imported alone, then the book built from the
// 73-model LiteLLM snapshot goblin bundled before (the "before"), from every shipped table (now), and with the
// full LiteLLM table imported (read and validated from GOBLIN_HOME).
const dist = new URL('../dist/src/cost/', import.meta.url).href
const script = (body) => [
  '--input-type=module',
  '-e',
  `const s = await import('${dist}price-sources.js'); const b = await import('${dist}price-book.js'); ` +
    `const { readFileSync } = await import('node:fs'); ${body}`,
]
const snapshotOnly = `new b.PriceBook([{ origin: 'bundled', models: JSON.parse(readFileSync(new URL('${dist}prices/snapshot.json'), 'utf8')).models }])`
const loads = [
  ['modules only', spawnMs(script(''), {})],
  ['+ book of the old 73-model snapshot (before)', spawnMs(script(snapshotOnly), {})],
  ['+ book of every shipped table (now)', spawnMs(script(`s.loadTablePrices('${shippedHome}')`), {})],
]
if (litellm)
  loads.push([
    '+ full LiteLLM imported too',
    spawnMs(script(`s.loadTablePrices('${join(home, 'imported')}')`), {}),
  ])
console.log(`price tables in a fresh process, median of ${runs} runs`)
for (const [name, ms] of loads)
  console.log(`  ${name.padEnd(44)} ${ms.toFixed(1).padStart(7)} ms   +${(ms - loads[0][1]).toFixed(1)} ms`)

// 3. In one process: the generated table's parse, against converting LiteLLM's raw file at every load.
const generatedText = readFileSync(
  new URL('../dist/src/cost/prices/genai-prices.json', import.meta.url),
  'utf8',
)
console.log(`in-process, median of ${runs}`)
console.log(
  `  parse the generated genai-prices table (${(generatedText.length / 1024).toFixed(0)} KiB)   ${median(() => JSON.parse(generatedText)).toFixed(1)} ms`,
)
if (litellm) {
  const rawText = readFileSync(litellmPath, 'utf8')
  const meta = { takenAt: '1970-01-01', source: litellmPath }
  const convertedText = JSON.stringify(fromLiteLlm(JSON.parse(rawText), litellmPath, meta).table)
  const rawMs = median(() => fromLiteLlm(JSON.parse(rawText), litellmPath, meta))
  const convertedMs = median(() => JSON.parse(convertedText))
  console.log(
    `  LiteLLM raw (${(rawText.length / 1024).toFixed(0)} KiB): parse + convert at load   ${rawMs.toFixed(1)} ms`,
  )
  console.log(
    `  LiteLLM converted (${(convertedText.length / 1024).toFixed(0)} KiB): parse only   ${convertedMs.toFixed(1)} ms   (${(rawMs / convertedMs).toFixed(1)}x faster)`,
  )
}

// 4. Coverage, resolved through goblin's own price book (the rules every report uses).
if (litellm) {
  const genai = new PriceBook([{ origin: 'bundled', models: shippedPriceTables()[0].table.models }])
  const litellmBook = new PriceBook([
    { origin: 'imported', models: fromLiteLlm(litellm, 'x', { takenAt: '', source: '' }).table.models },
  ])
  const shipped = loadTablePrices(shippedHome)
  const chat = Object.entries(litellm).filter(
    ([, v]) =>
      v &&
      typeof v === 'object' &&
      v.mode === 'chat' &&
      (v.input_cost_per_token ?? v.output_cost_per_token) !== undefined,
  )
  const covered = (book) => chat.filter(([key, v]) => book.resolve(key, v.litellm_provider)).length
  const pct = (n) => `${n} of ${chat.length} (${((100 * n) / chat.length).toFixed(1)}%)`
  console.log("coverage of LiteLLM's chat entries priced per token")
  console.log(`  genai-prices alone   ${pct(covered(genai))}`)
  console.log(
    `  goblin's shipped tables (genai-prices + LiteLLM common models + overrides)   ${pct(covered(shipped))}`,
  )
  const clients = [
    ['gpt-4o-mini', null],
    ['gpt-4o-mini-2024-07-18', 'openai'],
    ['gpt-4.1-mini', 'openai'],
    ['gpt-5.5', 'openai'],
    ['gpt-5-codex', 'openai'],
    ['o4-mini', 'openai'],
    ['claude-sonnet-4-5', 'anthropic'],
    ['claude-sonnet-4-20250514', 'anthropic'],
    ['claude-4-sonnet-20250514', 'anthropic'],
    ['claude-opus-4-1', 'anthropic'],
    ['claude-haiku-4-5', 'anthropic'],
    ['claude-sonnet-5-5', 'anthropic'],
    ['claude-opus-5-5', 'anthropic'],
    ['claude-haiku-5-5', 'anthropic'],
    ['gemini-2.5-pro', null],
    ['gemini-2.5-flash', null],
    ['gemini-3-pro-preview', null],
  ]
  const missing = (book) => clients.filter(([m, p]) => !book.resolve(m, p)).map(([m]) => m)
  console.log(`the test clients' ${clients.length} models (docs/prices.md)`)
  for (const [name, book] of [
    ['genai-prices', genai],
    ['LiteLLM', litellmBook],
    ['shipped', shipped],
  ]) {
    const gone = missing(book)
    console.log(
      `  ${name.padEnd(13)} ${clients.length - gone.length} of ${clients.length}${gone.length ? ` (missing ${gone.join(', ')})` : ''}`,
    )
  }
} else {
  console.log('coverage: set LITELLM_PRICES=<path to model_prices_and_context_window.json> to measure it')
}
rmSync(home, { recursive: true, force: true })
