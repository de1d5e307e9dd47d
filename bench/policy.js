// Policy benchmark: what Cedar costs a decision and a command. Run with `npm run bench:policy` (builds first).
// Environment: BENCH_DECISIONS (default 5000 per measurement), BENCH_RUNS (default 15 process starts).
// Prints p50/p99 of one decision with 1 and 100 policies, in process (the evaluator, and guard() as a service
// calls it), each also as a ratio to a baseline measured in the same run: a JSON round trip of the request,
// the least any call across the WebAssembly boundary pays. Then the start-up cost of loading Cedar.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'

const decisions = Number(process.env.BENCH_DECISIONS ?? 5000)
const runs = Number(process.env.BENCH_RUNS ?? 15)
const bin = new URL('../bin/run.js', import.meta.url).pathname
const work = mkdtempSync(join(tmpdir(), 'goblin-bench-policy-'))

/** 100 policies of the shapes the docs show: tool allow-lists per goblin, command patterns, stages, models. */
function policies(count) {
  const out = []
  for (let i = 0; out.length < count; i++) {
    out.push(
      `@id("tools-${i}")\npermit(principal == Goblin::"goblin-${i}", action == Action::"tool.call", resource)\nwhen { resource in [Tool::"Read", Tool::"Grep", Tool::"tool-${i}"] };`,
    )
    out.push(
      `@id("no-pattern-${i}")\nforbid(principal, action == Action::"tool.call", resource == Tool::"Bash")\nwhen { context.input has command && context.input.command like "*forbidden-${i}*" };`,
    )
    out.push(
      `@id("deploy-${i}")\npermit(principal == Goblin::"goblin-${i}", action == Action::"deploy", resource == Stage::"stage-${i}") when { context has task };`,
    )
    out.push(
      `@id("models-${i}")\npermit(principal == Goblin::"goblin-${i}", action == Action::"llm.call", resource) when { !(resource.name like "*opus*") };`,
    )
  }
  return out.slice(0, count).join('\n\n')
}

function project(name, text) {
  const dir = join(work, name)
  mkdirSync(join(dir, 'policies'), { recursive: true })
  writeFileSync(join(dir, 'goblin.config.json'), '{}')
  writeFileSync(join(dir, 'policies', 'bench.cedar'), text)
  return dir
}

function percentiles(times) {
  times.sort((a, b) => a - b)
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))]
  return { p50: at(0.5), p99: at(0.99) }
}

async function measure(fn) {
  for (let i = 0; i < 200; i++) await fn(i)
  const times = []
  for (let i = 0; i < decisions; i++) {
    const start = process.hrtime.bigint()
    await fn(i)
    times.push(Number(process.hrtime.bigint() - start) / 1e3)
  }
  return percentiles(times)
}

const { loadPolicies } = await import('../dist/src/policy/load-policies.js')
const { guard } = await import('../dist/src/policy/guard.js')
const { requestContext } = await import('../dist/src/policy/request-context.js')

const request = (i) => ({
  principal: { type: 'Goblin', id: `goblin-${i % 25}` },
  action: { type: 'Action', id: 'tool.call' },
  resource: { type: 'Tool', id: i % 2 ? 'Bash' : 'Read' },
  context: requestContext({ given: { input: { command: `ls -l /tmp/${i}` } } }),
})

const baseline = await measure((i) => JSON.parse(JSON.stringify(request(i))))
const rows = [['JSON round trip of the request (baseline)', baseline]]
for (const count of [1, 100]) {
  const dir = project(`p${count}`, policies(count))
  const { evaluator } = await loadPolicies(dir)
  rows.push([`evaluator.decide, ${count} policies`, await measure((i) => evaluator.decide(request(i)))])
  rows.push([
    `guard(), ${count} policies (policy files re-checked each call)`,
    await measure((i) =>
      guard({
        cwd: dir,
        goblinId: `goblin-${i % 25}`,
        action: 'tool.call',
        resource: i % 2 ? 'Bash' : 'Read',
        context: { input: { command: `ls -l /tmp/${i}` } },
      }),
    ),
  ])
}

console.log(
  `policy decisions: ${decisions} each, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
)
console.log('| what | p50 µs | p99 µs | p50 / baseline | p99 / baseline |')
console.log('| --- | --- | --- | --- | --- |')
for (const [what, { p50, p99 }] of rows)
  console.log(
    `| ${what} | ${p50.toFixed(1)} | ${p99.toFixed(1)} | ${(p50 / baseline.p50).toFixed(1)}x | ${(p99 / baseline.p99).toFixed(1)}x |`,
  )

/** Median wall time of a process start (ms), after two warm-up runs. */
function spawnMs(args, cwd, input) {
  const times = []
  for (let i = 0; i < runs + 2; i++) {
    const start = process.hrtime.bigint()
    const result = spawnSync(process.execPath, args, {
      cwd,
      env: { ...process.env, CI: 'true', GOBLIN_HOME: work },
      input,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'ignore'],
    })
    if (result.status !== 0 && result.status !== 1)
      throw new Error(`${args.join(' ')} exited ${result.status}`)
    if (i >= 2) times.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]
}

const dir = join(work, 'p100')
const bare = spawnMs(['-e', '0'], dir)
const starts = [
  ['node -e 0 (baseline)', bare],
  [
    "node: import('@cedar-policy/cedar-wasm/nodejs')",
    spawnMs(
      ['--input-type=module', '-e', "await import('@cedar-policy/cedar-wasm/nodejs')"],
      new URL('..', import.meta.url).pathname,
    ),
  ],
  ['goblin policy schema (no Cedar)', spawnMs([bin, 'policy', 'schema'], dir)],
  [
    'goblin policy check, 100 policies',
    spawnMs(
      [bin, 'policy', 'check', '--principal', 'goblin-3', '--action', 'tool.call', '--resource', 'Read'],
      dir,
    ),
  ],
  [
    'goblin policy hook claude, 4 policies (one tool call)',
    spawnMs(
      [bin, 'policy', 'hook', 'claude', '--goblin', 'goblin-0'],
      project('p4', policies(4)),
      JSON.stringify({
        session_id: 's',
        hook_event_name: 'PreToolUse',
        tool_name: 'Read',
        tool_input: { file_path: '/x' },
      }),
    ),
  ],
]
console.log(`\nstart-up: median of ${runs}`)
console.log('| what | ms | / node -e 0 |')
console.log('| --- | --- | --- |')
for (const [what, ms] of starts) console.log(`| ${what} | ${ms.toFixed(0)} | ${(ms / bare).toFixed(1)}x |`)
rmSync(work, { recursive: true, force: true })
