// Start-up benchmark: goblin's commands against a bare `node -e 0` in the same run, as ratios.
// Run with `npm run bench:startup` (builds first). Environment: BENCH_RUNS (default 20).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const runs = Number(process.env.BENCH_RUNS ?? 20)
const bin = new URL('../bin/run.js', import.meta.url).pathname
const home = mkdtempSync(join(tmpdir(), 'goblin-bench-startup-'))
const env = { ...process.env, GOBLIN_HOME: home, NO_COLOR: '1', CI: 'true' }

const cases = [
  ['node -e 0 (baseline)', ['-e', '0']],
  ['goblin --version', [bin, '--version']],
  ['goblin --help', [bin, '--help']],
  [
    'goblin doctor --json',
    [bin, 'doctor', '--json', '--only', 'node', '--only', 'config', '--only', 'goblin-home'],
  ],
]

/** Median wall time in ms of `runs` runs, after two warm-up runs. */
function median(args) {
  const times = []
  for (let i = 0; i < runs + 2; i++) {
    const start = process.hrtime.bigint()
    const result = spawnSync(process.execPath, args, { env, stdio: 'ignore' })
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`)
    if (i >= 2) times.push(ms)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]
}

const results = cases.map(([name, args]) => ({ name, ms: median(args) }))
const baseline = results[0].ms
console.log(`startup, median of ${runs} runs, node ${process.version}`)
for (const { name, ms } of results) {
  console.log(`${name.padEnd(24)} ${ms.toFixed(1).padStart(7)} ms   ${(ms / baseline).toFixed(2)}x baseline`)
}
rmSync(home, { recursive: true, force: true })
