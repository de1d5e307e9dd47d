// Price-table benchmark: what loading the price tables costs a command, and how much of each other's models
// genai-prices and LiteLLM's whole table cover. Run with `npm run bench:prices` (builds first).
// Environment: BENCH_RUNS (default 15); LITELLM_PRICES, a path to a LiteLLM model_prices_and_context_window.json
// (default: the copy vendored in vendor/litellm, which goblin ships converted).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const { fromLiteLlm } = await import('../dist/src/cost/litellm-prices.js')
const { PriceBook } = await import('../dist/src/cost/price-book.js')
const { loadTablePrices } = await import('../dist/src/cost/price-sources.js')
const { shippedPriceTables } = await import('../dist/src/cost/price-store.js')

const runs = Number(process.env.BENCH_RUNS ?? 15)
const litellmPath =
  process.env.LITELLM_PRICES ??
  new URL('../vendor/litellm/model_prices_and_context_window.json', import.meta.url).pathname
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
const litellm = JSON.parse(readFileSync(litellmPath, 'utf8'))
{
  const importedHome = join(home, 'imported')
  const imported = spawnSync(process.execPath, [bin, 'cost', 'prices', 'import', litellmPath], {
    env: { ...process.env, GOBLIN_HOME: importedHome },
  })
  if (imported.status !== 0) throw new Error(`import failed: ${imported.stderr}`)
  rows.push([
    'cost report --json, + LiteLLM imported too',
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
// generated genai-prices table alone (what goblin shipped before LiteLLM's whole table), from every shipped
// table (now), and with a LiteLLM table imported as well (read and validated from GOBLIN_HOME).
const dist = new URL('../dist/src/cost/', import.meta.url).href
const script = (body) => [
  '--input-type=module',
  '-e',
  `const s = await import('${dist}price-sources.js'); const b = await import('${dist}price-book.js'); ` +
    `const { readFileSync } = await import('node:fs'); ${body}`,
]
const genaiOnly = `new b.PriceBook([{ origin: 'bundled', models: JSON.parse(readFileSync(new URL('${dist}prices/genai-prices.json'), 'utf8')).models }])`
const loads = [
  ['modules only', spawnMs(script(''), {})],
  ['+ book of genai-prices alone (before)', spawnMs(script(genaiOnly), {})],
  ['+ book of every shipped table (now)', spawnMs(script(`s.loadTablePrices('${shippedHome}')`), {})],
  ['+ a LiteLLM table imported too', spawnMs(script(`s.loadTablePrices('${join(home, 'imported')}')`), {})],
]
console.log(`price tables in a fresh process, median of ${runs} runs`)
for (const [name, ms] of loads)
  console.log(`  ${name.padEnd(44)} ${ms.toFixed(1).padStart(7)} ms   +${(ms - loads[0][1]).toFixed(1)} ms`)

// 3. In one process: the generated tables' parse, against converting LiteLLM's raw file at every load.
console.log(`in-process, median of ${runs}`)
for (const file of ['genai-prices', 'litellm-prices']) {
  const text = readFileSync(new URL(`../dist/src/cost/prices/${file}.json`, import.meta.url), 'utf8')
  console.log(
    `  parse the generated ${file} table (${(text.length / 1024).toFixed(0)} KiB)   ${median(() => JSON.parse(text)).toFixed(1)} ms`,
  )
}
{
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

// 4. Coverage, resolved through goblin's own price book (the rules every report uses): of LiteLLM's chat
// entries, of genai-prices' models (each table measured on the other's ground), and of the test clients' models.
{
  const genaiModels = shippedPriceTables()[0].table.models
  const genai = new PriceBook([{ origin: 'bundled', models: genaiModels }])
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
  const pct = (n, of) => `${n} of ${of} (${((100 * n) / of).toFixed(1)}%)`
  console.log(`coverage of LiteLLM's chat entries priced per token (${litellmPath})`)
  console.log(`  genai-prices alone   ${pct(covered(genai), chat.length)}`)
  console.log(`  LiteLLM alone        ${pct(covered(litellmBook), chat.length)}`)
  console.log(`  goblin's shipped tables   ${pct(covered(shipped), chat.length)}`)
  const genaiCovered = (book) => genaiModels.filter((m) => book.resolve(m.model, m.provider)).length
  console.log(`coverage of genai-prices' ${genaiModels.length} model keys`)
  console.log(`  LiteLLM alone        ${pct(genaiCovered(litellmBook), genaiModels.length)}`)
  console.log(`  goblin's shipped tables   ${pct(genaiCovered(shipped), genaiModels.length)}`)
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
}
rmSync(home, { recursive: true, force: true })
