// Cost benchmark: `cost report --by model,goblin` over 1M stored LLM spans, next to a bare GROUP BY of the
// same store (llm_calls, same window, no pricing) in the same run, as ratios.
// Run with `npm run bench:cost` (builds first). Environment: BENCH_SPANS (default 1000000), BENCH_RUNS (default 5),
// BENCH_PROMPT (default 1000): the smallest prompt, in tokens; prompts range up to 1.5 times it, so 150000 puts
// the tiered models' calls on both sides of the 200k threshold and the report queries them again by tier.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'

const { openSpanStore } = await import('../dist/src/collector/span-store.js')
const { llmCallsIndex } = await import('../dist/src/collector/llm-calls.js')
const { tablePricer } = await import('../dist/src/cost/table-pricer.js')
const { buildCostReport } = await import('../dist/src/cost/cost-report.js')

const total = Number(process.env.BENCH_SPANS ?? 1_000_000)
const runs = Number(process.env.BENCH_RUNS ?? 5)
const prompt = Number(process.env.BENCH_PROMPT ?? 1_000)
const home = mkdtempSync(join(tmpdir(), 'goblin-bench-cost-'))
const dir = join(home, 'spans')
const models = [
  ['gpt-4o', 'openai'],
  ['gpt-4o-mini', 'openai'],
  ['gpt-4.1', 'openai'],
  ['gpt-4.1-mini', 'openai'],
  ['claude-sonnet-4-5', 'anthropic'],
  ['claude-haiku-4-5', 'anthropic'],
  ['claude-opus-4-1', 'anthropic'],
  ['gemini/gemini-2.5-pro', 'gcp.gemini'],
  ['deepseek-chat', 'deepseek'],
  ['in-house-llm', 'self-hosted'],
]
const now = BigInt(Date.now()) * 1_000_000n
const week = 7n * 86_400n * 1_000_000_000n

/** Ingests `total` LLM spans (every tenth trace an agent span over two child calls) through the real store. */
function populate() {
  const store = openSpanStore({ dir, indexes: [llmCallsIndex({ price: tablePricer(home) })] })
  return store.then((s) => {
    const started = Date.now()
    let batch = []
    for (let i = 0; i < total; i++) {
      const [model, provider] = models[i % models.length]
      const traceId = (Math.floor(i / 3) + 1).toString(16).padStart(32, '0')
      const isParentGroup = Math.floor(i / 3) % 10 === 0
      const role = i % 3
      const start = now - (BigInt(i) * week) / BigInt(total)
      batch.push({
        traceId,
        spanId: (i + 1).toString(16).padStart(16, '0'),
        parentSpanId: isParentGroup && role > 0 ? (i - role + 1).toString(16).padStart(16, '0') : null,
        name: `chat ${model}`,
        kind: 3,
        startTimeUnixNano: String(start),
        endTimeUnixNano: String(start + 1_000_000n),
        statusCode: 0,
        serviceName: `svc-${i % 7}`,
        attributes: {
          'gen_ai.request.model': model,
          'gen_ai.provider.name': provider,
          'gen_ai.usage.input_tokens': prompt + Math.round(((i % 500) * prompt) / 1_000),
          'gen_ai.usage.output_tokens': 100 + (i % 50),
          'gen_ai.usage.cache_read.input_tokens': i % 4 === 0 ? 500 : 0,
          'goblin.id': `goblin-${i % 50}`,
          'task.id': `task-${i % 200}`,
          ...(i % 11 === 0 ? { 'llm.cost': 0.001 } : {}),
        },
        resource: { 'service.name': `svc-${i % 7}` },
      })
      if (batch.length === 5_000) {
        s.ingest(batch)
        batch = []
      }
    }
    if (batch.length) s.ingest(batch)
    s.close()
    return (Date.now() - started) / 1000
  })
}

function median(times) {
  const sorted = [...times].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

/** Median wall time and median CPU time (this process) in ms over `runs` runs after one warm-up. */
async function time(fn) {
  const walls = []
  const cpus = []
  for (let i = 0; i < runs + 1; i++) {
    const start = process.hrtime.bigint()
    const cpu = process.cpuUsage()
    await fn()
    const used = process.cpuUsage(cpu)
    if (i > 0) {
      walls.push(Number(process.hrtime.bigint() - start) / 1e6)
      cpus.push((used.user + used.system) / 1e3)
    }
  }
  return { wall: median(walls), cpu: median(cpus) }
}

const seconds = await populate()
console.log(
  `cost, ${total.toLocaleString('en-US')} LLM spans stored in ${seconds.toFixed(1)} s; median of ${runs} runs, node ${process.version}`,
)

const since = new Date(Date.now() - 30 * 86_400_000)
const reader = await openSpanStore({ dir, readonly: true })
// The bare query as one would write it by hand, timed with the time index and with a plain scan; the faster
// plan is the baseline, so the ratio never flatters the report.
const bareSql = (time) =>
  `SELECT model, goblin, count(*) AS calls, sum(input_tokens), sum(output_tokens), sum(cost) FROM llm_calls WHERE ${time} >= ? AND ${time} < ? GROUP BY model, goblin`
const window = [BigInt(since.getTime()) * 1_000_000n, BigInt(Date.now() + 60_000) * 1_000_000n]
const bareIndexed = reader.db.prepare(bareSql('start_ns'))
const bareScan = reader.db.prepare(bareSql('+start_ns'))
const bareTimes = [await time(() => bareIndexed.all(...window)), await time(() => bareScan.all(...window))]
const bareMs = bareTimes[0].wall <= bareTimes[1].wall ? bareTimes[0] : bareTimes[1]
reader.close()
const reportMs = await time(() => buildCostReport({ home, since: '30d', by: ['model', 'goblin'] }))

const bin = new URL('../bin/run.js', import.meta.url).pathname
const env = { ...process.env, GOBLIN_HOME: home, NO_COLOR: '1', CI: 'true' }
// CPU of the child process through GNU time when present (wall time alone is at the mercy of machine load).
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : null
const cliCpu = []
const cliMs = await time(() => {
  const args = [bin, 'cost', 'report', '--since', '30d', '--by', 'model,goblin', '--json']
  const result = gnuTime
    ? spawnSync(gnuTime, ['-f', '%U %S', process.execPath, ...args], {
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      })
    : spawnSync(process.execPath, args, { env, stdio: 'ignore' })
  if (result.status !== 0) throw new Error(`goblin cost report exited ${result.status}`)
  if (gnuTime) {
    const [user, sys] = String(result.stderr).trim().split('\n').at(-1).split(' ').map(Number)
    cliCpu.push((user + sys) * 1000)
  }
})
if (cliCpu.length) cliMs.cpu = median(cliCpu.slice(1))
const nodeMs = await time(() => spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore' }))

const line = (name, t, note) =>
  console.log(
    `${name.padEnd(44)} ${t.wall.toFixed(1).padStart(8)} ms wall ${t.cpu === undefined ? '' : `${t.cpu.toFixed(1).padStart(8)} ms cpu`}  ${note}`,
  )
line('bare GROUP BY model, goblin (baseline)', bareMs, '1.00x baseline')
line(
  'buildCostReport --by model,goblin',
  reportMs,
  `${(reportMs.wall / bareMs.wall).toFixed(2)}x baseline wall, ${(reportMs.cpu / bareMs.cpu).toFixed(2)}x cpu (target <= 1.5x, < 1000 ms)`,
)
line(
  'goblin cost report --by model,goblin --json',
  cliMs,
  `${((cliMs.wall - nodeMs.wall) / bareMs.wall).toFixed(2)}x baseline wall after node start-up (${nodeMs.wall.toFixed(0)} ms)`,
)
console.log(`prompts of ${prompt} to ${prompt + Math.round((499 * prompt) / 1_000)} tokens`)
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} CPUs (wall times suffer when it is high)`,
)
if (!process.env.BENCH_KEEP) rmSync(home, { recursive: true, force: true })
else console.log(home)
