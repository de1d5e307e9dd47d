// Start-up cost of plugins: goblin's commands with 0 plugins, then with 5 linked plugins scaffolded by
// `goblin plugins new` and built, first as a developer links them (no oclif.manifest.json: oclif imports
// each plugin's command files to list them), then with the manifest `npm publish` ships (what an installed
// plugin has). Prints medians and ratios against goblin with no plugins, measured in the same run.
// Run with `npm run bench:startup:plugins` (builds first). Environment: BENCH_RUNS (default 20).
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const runs = Number(process.env.BENCH_RUNS ?? 20)
const root = new URL('..', import.meta.url).pathname
const bin = join(root, 'bin/run.js')
const scratch = mkdtempSync(join(tmpdir(), 'goblin-bench-plugins-'))
const PLUGINS = ['alpha', 'bravo', 'charlie', 'delta', 'echo']

const baseEnv = { ...process.env, NO_COLOR: '1', CI: 'true' }
const homes = {
  none: join(scratch, 'home-none'),
  linked: join(scratch, 'home-linked'),
  manifest: join(scratch, 'home-manifest'),
}

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

// Five plugins from the template, built with goblin's own node_modules (their dependency ranges are goblin's),
// linked as they are into one home and, as copies with the manifest `npm publish` ships, into another.
for (const name of PLUGINS) {
  const made = run([bin, 'plugins', 'new', name, '--dir', scratch, '--json'], {
    env: { ...baseEnv, GOBLIN_HOME: homes.none },
  })
  const dir = JSON.parse(made.stdout).directory
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
  run([join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir })
  run([bin, 'plugins', 'link', dir, '--no-install'], { env: { ...baseEnv, GOBLIN_HOME: homes.linked } })
  const withManifest = `${dir}-manifest`
  cpSync(dir, withManifest, { recursive: true, verbatimSymlinks: true })
  run([join(root, 'node_modules/oclif/bin/run.js'), 'manifest'], { cwd: withManifest })
  run([bin, 'plugins', 'link', withManifest, '--no-install'], {
    env: { ...baseEnv, GOBLIN_HOME: homes.manifest },
  })
}
mkdirSync(homes.none, { recursive: true })

const cases = [
  ['node -e 0 (baseline)', ['-e', '0']],
  ['goblin --version', [bin, '--version']],
  ['goblin --help', [bin, '--help']],
  [
    'goblin doctor --json',
    [bin, 'doctor', '--json', '--only', 'node', '--only', 'config', '--only', 'goblin-home'],
  ],
]

/** Wall time in ms of one run; a failure stops the bench. */
function time(args, home) {
  const start = process.hrtime.bigint()
  // Run outside any project, so a goblin.config.json nearby cannot change what is measured.
  const result = spawnSync(process.execPath, args, {
    env: { ...baseEnv, GOBLIN_HOME: home },
    cwd: scratch,
    stdio: 'ignore',
  })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`)
  return ms
}

// Round-robin over every (command, home) pair, so load that comes and goes hits all of them alike.
const samples = new Map()
for (let i = 0; i < runs + 2; i++) {
  for (const [name, args] of cases) {
    for (const home of Object.keys(homes)) {
      const ms = time(args, homes[home])
      if (i < 2) continue
      const key = `${name}|${home}`
      samples.set(key, [...(samples.get(key) ?? []), ms])
    }
  }
}
const median = (name, home) => {
  const times = [...samples.get(`${name}|${home}`)].sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]
}

console.log(
  `startup with ${PLUGINS.length} linked plugins, median of ${runs} interleaved runs, node ${process.version}`,
)
console.log(
  `${'command'.padEnd(22)} ${'0 plugins'.padStart(10)} ${'5 linked'.padStart(18)} ${'5 with manifest'.padStart(22)}`,
)
for (const [name] of cases) {
  const none = median(name, 'none')
  const cell = (home) => {
    const ms = median(name, home)
    return `${ms.toFixed(1).padStart(7)} ms ${(ms / none).toFixed(2).padStart(5)}x`
  }
  console.log(
    `${name.padEnd(22)} ${none.toFixed(1).padStart(7)} ms ${cell('linked').padStart(18)} ${cell('manifest').padStart(22)}`,
  )
}
rmSync(scratch, { recursive: true, force: true })
