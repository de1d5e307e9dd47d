// Start-up benchmark: every everyday goblin command as a whole process, against a bare `node -e 0` in the
// same run, as ratios (issue 14: within 3x, `trace exec -- true` within 2x). Runs are interleaved (one of each
// case per round) so machine load hits every case alike; the figures are each case's median wall and CPU time.
// Run with `npm run bench:startup` (builds first). Environment: BENCH_RUNS (rounds, default 15),
// BENCH_ONLY (a substring: only the cases whose name has it, plus the baseline), BENCH_BEFORE (the
// directory of another built goblin checkout, e.g. a worktree of an older commit: its commands run in the
// same rounds, so before and after meet the same machine load).
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'

const runs = Number(process.env.BENCH_RUNS ?? 15)
const bin = new URL('../bin/run.js', import.meta.url).pathname
const home = mkdtempSync(join(tmpdir(), 'goblin-bench-startup-'))
const project = mkdtempSync(join(tmpdir(), 'goblin-bench-project-'))
const env = { ...process.env, GOBLIN_HOME: home, NO_COLOR: '1', CI: 'true' }
delete env.OTEL_EXPORTER_OTLP_ENDPOINT
delete env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT

function goblin(args, options = {}) {
  const run = spawnSync(process.execPath, [bin, ...args], { env, cwd: project, encoding: 'utf8', ...options })
  if (run.status !== 0) throw new Error(`goblin ${args.join(' ')} exited ${run.status}: ${run.stderr}`)
  return run.stdout
}

// A small store: a key, a few signed entries and a checkpoint; a budget; a collector with one trace.
goblin(['audit', 'keygen', '--name', 'bench'])
for (let i = 0; i < 5; i++)
  goblin(['audit', 'sign', '--goblin', 'g', '--action', `a${i}`, '--decision', 'allow'])
goblin(['audit', 'checkpoint'])
writeFileSync(
  join(project, 'goblin.config.json'),
  JSON.stringify({ cost: { budgets: [{ goblin: 'g', period: 'day', usd: 1 }] } }),
)
const collector = spawn(process.execPath, [bin, 'collector', 'serve', '--port', '0', '--json'], {
  env,
  cwd: project,
  stdio: ['ignore', 'pipe', 'ignore'],
})
const listening = await new Promise((resolve, reject) => {
  collector.stdout.once('data', (chunk) => resolve(JSON.parse(String(chunk).split('\n')[0])))
  collector.once('exit', (code) => reject(new Error(`collector serve exited ${code}`)))
})
const endpoint = listening.url
const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }
const exported = JSON.parse(goblin(['trace', 'exec', '--json', '--', 'true'], { env: { ...env, ...otel } }))
const traceId = exported.traceId

const event = JSON.stringify({ goblin_id: 'g', action: 'tool.call', decision: 'allow' })
// A Cedar policy for `policy check` and `policy hook`, and a stand-in `claude` on PATH that exits at once, so
// that `agent run` measures goblin around the agent (as `trace exec -- true` does), not Claude Code's start.
mkdirSync(join(project, 'policies'))
writeFileSync(join(project, 'policies', 'allow.cedar'), 'permit(principal, action, resource);\n')
const agents = mkdtempSync(join(tmpdir(), 'goblin-bench-agents-'))
writeFileSync(join(agents, 'claude'), '#!/bin/sh\nexit 0\n')
chmodSync(join(agents, 'claude'), 0o755)
const toolCall = JSON.stringify({
  session_id: 's',
  hook_event_name: 'PreToolUse',
  tool_name: 'Bash',
  tool_input: { command: 'ls' },
})
/** Every case, for the goblin whose entry point is `bin`. */
const casesFor = (bin) => [
  ['node -e 0 (baseline)', ['-e', '0']],
  ['--version', [bin, '--version']],
  ['--help', [bin, '--help']],
  ['doctor --json', [bin, 'doctor', '--json', '--only', 'node', '--only', 'config', '--only', 'goblin-home']],
  ['doctor', [bin, 'doctor', '--only', 'node', '--only', 'config', '--only', 'goblin-home']],
  ['config show', [bin, 'config', 'show']],
  ['trace exec -- true', [bin, 'trace', 'exec', '--', 'true'], otel],
  ['trace list', [bin, 'trace', 'list', '--endpoint', endpoint]],
  ['trace list --json', [bin, 'trace', 'list', '--endpoint', endpoint, '--json']],
  ['trace show', [bin, 'trace', 'show', traceId, '--endpoint', endpoint]],
  ['trace tail --max 1', [bin, 'trace', 'tail', '--endpoint', endpoint, '--for', '1ms']],
  ['cost report', [bin, 'cost', 'report']],
  ['cost report --json', [bin, 'cost', 'report', '--json']],
  ['cost check', [bin, 'cost', 'check']],
  [
    'cost estimate',
    [bin, 'cost', 'estimate', '--model', 'gpt-4o', '--input-tokens', '1000', '--output-tokens', '100'],
  ],
  ['audit sign', [bin, 'audit', 'sign', '--goblin', 'g', '--action', 'bench', '--decision', 'allow']],
  ['audit sign --input -', [bin, 'audit', 'sign', '--input', '-'], {}, `${event}\n`],
  ['audit verify', [bin, 'audit', 'verify']],
  ['audit checkpoint', [bin, 'audit', 'checkpoint']],
  ['audit prove', [bin, 'audit', 'prove', '--index', '0']],
  // Nothing runs: stack status says so and exits 1, its documented answer.
  ['stack status', [bin, 'stack', 'status', '--runtime', 'embedded'], {}, undefined, 1],
  [
    'policy check',
    [bin, 'policy', 'check', '--principal', 'g', '--action', 'tool.call', '--resource', 'Bash'],
  ],
  ['policy hook claude', [bin, 'policy', 'hook', 'claude'], {}, toolCall],
  [
    'agent run claude',
    [bin, 'agent', 'run', 'claude', '--endpoint', endpoint, '--', '--version'],
    { PATH: `${agents}:${process.env.PATH}` },
  ],
]
const only = process.env.BENCH_ONLY
const pick = (cases) => cases.filter(([name], i) => i === 0 || !only || name.includes(only))
const selected = pick(casesFor(bin))
const beforeDir = process.env.BENCH_BEFORE
const before = beforeDir ? pick(casesFor(join(beforeDir, 'bin/run.js'))).slice(1) : []

/**
 * Bash's `time` around the command: its wall time and its CPU time (user + sys of the process and its
 * children, from getrusage, to the microsecond), written to our stdout while the command's own stdout is
 * dropped and its stderr kept for the error. CPU time moves far less with the machine's load than wall time.
 */
const TIMED = 'TIMEFORMAT="%3R %3U %3S"; exec 3>&2; { time "$@" 2>&3 3>&-; } 2>&1 >/dev/null'

/** Wall and CPU ms of one run; a case that fails is a bench error, not a fast figure (null for `before`). */
function once([name, args, extraEnv = {}, input, exit = 0], tolerant = false) {
  const result = spawnSync('bash', ['-c', TIMED, 'timed', process.execPath, ...args], {
    env: { ...env, ...extraEnv },
    cwd: project,
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    encoding: 'utf8',
  })
  if (result.status !== exit) {
    if (tolerant) return null
    throw new Error(`${name} exited ${result.status}: ${result.stderr}`)
  }
  const [real, user, sys] = result.stdout.trim().split(/\s+/).map(Number)
  return { ms: real * 1000, cpuMs: (user + sys) * 1000 }
}

const times = selected.map(() => [])
const cpuTimes = selected.map(() => [])
const beforeTimes = before.map(() => [])
const beforeCpuTimes = before.map(() => [])
const loadBefore = loadavg()[0]
// Two warm-up rounds (the V8 compile cache and the page cache fill), then the measured ones.
for (let round = 0; round < runs + 2; round++) {
  selected.forEach((c, i) => {
    const now = once(c)
    if (round >= 2) {
      times[i]?.push(now.ms)
      cpuTimes[i]?.push(now.cpuMs)
    }
    const old = i > 0 ? before[i - 1] : undefined
    if (!old) return
    const then = once(old, true)
    if (round >= 2 && then !== null) {
      beforeTimes[i - 1]?.push(then.ms)
      beforeCpuTimes[i - 1]?.push(then.cpuMs)
    }
  })
}
const median = (list) => (list.length ? [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] : null)
const results = selected.map(([name], i) => ({
  name,
  ms: median(times[i]),
  cpuMs: median(cpuTimes[i]),
  beforeMs: i > 0 && before.length ? median(beforeTimes[i - 1]) : null,
  beforeCpuMs: i > 0 && before.length ? median(beforeCpuTimes[i - 1]) : null,
}))
const baseline = results[0].ms
const cpuBaseline = results[0].cpuMs
console.log(
  `startup, median of ${runs} interleaved rounds, node ${process.version}, load ${loadBefore.toFixed(2)} -> ${loadavg()[0].toFixed(2)}`,
)
if (before.length) {
  console.log(`before: ${beforeDir}`)
  console.log(
    '| command | ms | x node -e 0 | CPU ms | CPU x node -e 0 | before ms | before x node -e 0 | now / before | CPU now / before |',
  )
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
} else {
  console.log('| command | ms | x node -e 0 | CPU ms | CPU x node -e 0 |')
  console.log('| --- | ---: | ---: | ---: | ---: |')
}
for (const { name, ms, cpuMs, beforeMs, beforeCpuMs } of results) {
  const row = [
    name,
    ms.toFixed(1),
    `${(ms / baseline).toFixed(2)}x`,
    cpuMs.toFixed(1),
    `${(cpuMs / cpuBaseline).toFixed(2)}x`,
  ]
  if (before.length)
    row.push(
      ...(beforeMs === null
        ? ['-', '-', '-', '-']
        : [
            beforeMs.toFixed(1),
            `${(beforeMs / baseline).toFixed(2)}x`,
            `${(ms / beforeMs).toFixed(2)}x`,
            `${(cpuMs / beforeCpuMs).toFixed(2)}x`,
          ]),
    )
  console.log(`| ${row.join(' | ')} |`)
}

collector.kill('SIGTERM')
await new Promise((resolve) => collector.once('exit', resolve))
rmSync(home, { recursive: true, force: true })
rmSync(project, { recursive: true, force: true })
rmSync(agents, { recursive: true, force: true })
