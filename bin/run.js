#!/usr/bin/env node
// goblin's entry point. The V8 compile cache goes on before anything else loads (Node 22.1+; a no-op
// elsewhere), so the modules of every later run start from cached bytecode. Then the packages with many
// small modules (@oclif/core, zod, the OpenTelemetry SDK) resolve to their one-file bundles in dist/vendor
// (scripts/bundle-vendor.js), for goblin and for every plugin alike, so there is one copy of each; a Node
// without module.registerHooks (before 22.15) loads the installed packages instead. The Node check and the --version fast path run before oclif loads, so an old
// Node gets a clear message and `goblin --version` costs little more than `node -e 0`.
import { readFileSync } from 'node:fs'
import module from 'node:module'
import { fileURLToPath } from 'node:url'

module.enableCompileCache?.()
// dist/vendor/vendor.json: which bare specifiers have a bundle (written by scripts/bundle-vendor.js).
const vendorDir = new URL('../dist/vendor/', import.meta.url)
let vendored = {}
try {
  vendored = JSON.parse(readFileSync(new URL('vendor.json', vendorDir), 'utf8'))
} catch {
  // No bundles (a build without the vendor step): the installed packages load as they are.
}
if (module.registerHooks) {
  const { vendorResolver } = await import('../dist/src/cli/vendor-resolve.js')
  const ownModules = new URL('../dist/', import.meta.url).href
  module.registerHooks({ resolve: vendorResolver(vendored, vendorDir, import.meta.url, ownModules) })
}

const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  process.stderr.write(
    `goblin needs Node.js 22 or newer; this is ${process.version}.\n` +
      'Install Node 22 LTS or newer, or run goblin through npx inside a clone of goblin, which brings its own Node.\n',
  )
  process.exit(2)
}

const args = process.argv.slice(2)
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  const { printVersion } = await import('../dist/src/cli/version.js')
  printVersion()
} else {
  // Plugins live under GOBLIN_HOME, never in a project: oclif reads its dirs from GOBLIN_DATA_DIR & co.
  const { oclifDirsEnv } = await import('../dist/src/plugins/oclif-dirs.js')
  Object.assign(process.env, oclifDirsEnv(process.env))
  // `trace exec` runs without oclif where oclif would add nothing (src/cli/fast-trace-exec.ts); so do goblin's
  // other commands, with only oclif's parser (src/cli/lean-run.ts).
  const fast =
    args[0] === 'trace' &&
    args[1] === 'exec' &&
    (await (await import('../dist/src/cli/fast-trace-exec.js')).fastTraceExec(args.slice(2), process.env))
  const lean =
    fast ||
    (await (
      await import('../dist/src/cli/lean-run.js')
    ).leanRun(args, process.env, fileURLToPath(new URL('..', import.meta.url))))
  if (!lean) await runOclif()
}

async function runOclif() {
  // As it loads, oclif checks Node against its own package's engines, which loads all of semver (about 3 ms);
  // the check above is the one that counts. The variable is set for that load only, not for what goblin runs.
  const engineCheck = process.env.OCLIF_DISABLE_ENGINE_WARNING === undefined
  if (engineCheck) process.env.OCLIF_DISABLE_ENGINE_WARNING = '1'
  const { run, settings } = await import('@oclif/core')
  if (engineCheck) delete process.env.OCLIF_DISABLE_ENGINE_WARNING
  // Linked plugins run their built dist/ like installed ones: oclif cannot transpile ESM TypeScript on the fly.
  settings.enableAutoTranspile = false
  const { handleEntryError, installPluginCommandErrors } = await import('../dist/src/cli/entry.js')
  installPluginCommandErrors()
  // With no user plugin, oclif is handed the plugins it would find instead of searching for them.
  const { shippedPluginsOptions } = await import('../dist/src/plugins/shipped-plugins.js')
  const entry = fileURLToPath(import.meta.url)
  const options = (await shippedPluginsOptions(entry, process.env)) ?? entry
  // oclif's run() rather than execute(): errors outside goblin's commands (an unknown command, a plugin's
  // command under --json) are written the goblin way. Node writes what is buffered for stdout before it exits.
  try {
    await run(args, options)
  } catch (error) {
    await handleEntryError(error, args)
  }
  // A plugin hook that timed out was reported and skipped, but may still hold the event loop open (a timer,
  // a socket): end the process once the command's output is written rather than wait for the plugin.
  const { abandonedHookCount } = await import('../dist/src/plugins/hook-runner.js')
  if (abandonedHookCount() > 0) {
    await Promise.all([process.stdout, process.stderr].map((s) => new Promise((done) => s.write('', done))))
    process.exit()
  }
}
