// Start-up cost of plugins: goblin's commands with 0 plugins, then with 5 linked plugins scaffolded by
// `goblin plugins new` and built, first as a developer links them (no oclif.manifest.json: oclif imports
// each plugin's command files to list them), then with the manifest `npm publish` ships (what an installed
// plugin has). Prints medians and ratios against goblin with no plugins, measured in the same run.
// Run with `npm run bench:startup:plugins` (builds first). Environment: BENCH_RUNS (default 20).
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const runs = Number(process.env.BENCH_RUNS ?? 20)
const root = new URL('..', import.meta.url).pathname
const bin = join(root, 'bin/run.js')
const scratch = mkdtempSync(join(tmpdir(), 'goblin-bench-plugins-'))
const PLUGINS = ['alpha', 'bravo', 'charlie', 'delta', 'echo']

const baseEnv = { ...process.env, NO_COLOR: '1', CI: 'true' }
const homes = { none: join(scratch, 'home-none'), linked: join(scratch, 'home-linked') }

function run(args, options = {}) {
  const result = spawnSync(process.execPath, args, {
    env: baseEnv,
    cwd: scratch,
    encoding: 'utf8',
    ...options,
  })
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}\n${result.stderr}`)
  return result
}

// Five plugins from the template, built with goblin's own node_modules (their dependency ranges are goblin's).
const pluginDirs = []
for (const name of PLUGINS) {
  const made = run([bin, 'plugins', 'new', name, '--dir', scratch, '--json'], {
    env: { ...baseEnv, GOBLIN_HOME: homes.none },
  })
  const dir = JSON.parse(made.stdout).directory
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
  run([join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir })
  run([bin, 'plugins', 'link', dir, '--no-install'], { env: { ...baseEnv, GOBLIN_HOME: homes.linked } })
  pluginDirs.push(dir)
}
mkdirSync(homes.none, { recursive: true })

const cases = [
  ['goblin --version', ['--version']],
  ['goblin --help', ['--help']],
  [
    'goblin doctor --json',
    ['doctor', '--json', '--only', 'node', '--only', 'config', '--only', 'goblin-home'],
  ],
]

/** Median wall time in ms of `runs` runs, after two warm-up runs. */
function median(args, home) {
  const env = { ...baseEnv, GOBLIN_HOME: home }
  const times = []
  for (let i = 0; i < runs + 2; i++) {
    const start = process.hrtime.bigint()
    // Run outside any project, so a goblin.config.json nearby cannot change what is measured.
    const result = spawnSync(process.execPath, args, { env, cwd: scratch, stdio: 'ignore' })
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`)
    if (i >= 2) times.push(ms)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]
}

const measure = (home) =>
  Object.fromEntries(cases.map(([name, args]) => [name, median([bin, ...args], home)]))
const none = measure(homes.none)
const linked = measure(homes.linked)
for (const dir of pluginDirs) run([join(root, 'node_modules/oclif/bin/run.js'), 'manifest'], { cwd: dir })
const manifests = measure(homes.linked)
const node = median(['-e', '0'], homes.none)

console.log(`startup with ${PLUGINS.length} linked plugins, median of ${runs} runs, node ${process.version}`)
console.log(`node -e 0 (baseline)     ${node.toFixed(1).padStart(7)} ms`)
console.log(
  `${'command'.padEnd(22)} ${'0 plugins'.padStart(10)} ${'5 linked'.padStart(18)} ${'5 with manifest'.padStart(22)}`,
)
for (const [name] of cases) {
  const cell = (ms) => `${ms.toFixed(1).padStart(7)} ms ${(ms / none[name]).toFixed(2).padStart(5)}x`
  console.log(
    `${name.padEnd(22)} ${none[name].toFixed(1).padStart(7)} ms ${cell(linked[name]).padStart(18)} ${cell(manifests[name]).padStart(22)}`,
  )
}
rmSync(scratch, { recursive: true, force: true })
