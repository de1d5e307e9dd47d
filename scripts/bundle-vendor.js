// Build step: packages that cost start-up by their many small modules, each bundled into one file under
// dist/vendor (@oclif/core and its 47 semver modules, zod's 95, jsonc-parser's 7, the OpenTelemetry SDK's
// 250 behind `trace exec`), which bin/run.js serves for their bare specifiers through a resolve hook, for
// goblin and for plugins alike. Each bundle holds one package: the other vendored packages stay imports
// (external), so every package still has exactly one copy. The installed packages stay the source, each
// bundle's first line names the version it was built from, and dist/vendor/vendor.json maps specifiers to
// files. Generated, not in git.
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { packageName } from '../dist/src/cli/vendor-resolve.js'

/**
 * The vendored packages. CommonJS bundles, but for those in ESM_BUNDLES: a bundle requires the other vendored
 * packages at run time, and only CommonJS can require an external from a bundle.
 */
export const VENDORED = [
  'zod',
  // goblin.config.json's parser: its UMD modules are loaded one by one by require, on every command.
  'jsonc-parser',
  '@opentelemetry/api',
  '@opentelemetry/api-logs',
  '@opentelemetry/core',
  '@opentelemetry/resources',
  '@opentelemetry/semantic-conventions',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/otlp-exporter-base',
  // The exporters' transport: a subpath of its own, else its 21 modules load one by one.
  '@opentelemetry/otlp-exporter-base/node-http',
  '@opentelemetry/otlp-transformer',
  '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/exporter-trace-otlp-proto',
]

/**
 * Packages whose index only re-exports its modules, each of its exports loaded when first read: the OTLP
 * exporters read the trace serializers of @opentelemetry/otlp-transformer, whose index also loads the metrics
 * and logs serializers and, through them, @opentelemetry/sdk-metrics (about a twentieth of `trace exec`).
 */
const LAZY_INDEXES = new Set(['@opentelemetry/otlp-transformer'])

/**
 * An entry for `index`, a CommonJS index as tsc writes re-exports (`var m = require("./m");
 * Object.defineProperty(exports, "Name", { enumerable: true, get: function () { return m.Name; } });`), whose
 * getters require each module when the name is first read. CommonJS callers so load only what they use; a
 * `0 &&` line names the exports for Node's ES module import (which reads them all). Every export of the
 * index must be one such re-export, or the build fails.
 */
function lazyIndex(index) {
  const text = readFileSync(index, 'utf8')
  const modules = Object.fromEntries(
    [...text.matchAll(/var (\w+) = require\("(\.[^"]+)"\);/g)].map(([, v, m]) => [v, m]),
  )
  const reexports = [
    ...text.matchAll(
      /Object\.defineProperty\(exports, "(\w+)", \{ enumerable: true, get: function \(\) \{ return (\w+)\.(\w+); \} \}\);/g,
    ),
  ].map(([, name, variable, exported]) => ({ name, module: modules[variable], exported }))
  const names = Object.keys(require(index)).filter((name) => name !== '__esModule')
  const covered = new Set(reexports.filter((r) => r.module).map((r) => r.name))
  const missing = names.filter((name) => !covered.has(name))
  if (missing.length > 0)
    throw new Error(`${index}: not plain re-exports, cannot load lazily: ${missing.join(', ')}`)
  const dir = index.slice(0, index.lastIndexOf('/'))
  const getters = reexports.map(
    (r) =>
      `Object.defineProperty(exports, ${JSON.stringify(r.name)}, { enumerable: true, get: () => require(${JSON.stringify(`${dir}/${r.module}`)}).${r.exported} })`,
  )
  return {
    stdin: { contents: `${getters.join('\n')}\n`, resolveDir: dir, sourcefile: `${index} (lazy)` },
    // After the bundle, where esbuild cannot drop it as dead code.
    footer: { js: `0 && (module.exports = { ${names.join(', ')} })` },
  }
}

/** Bundled as ES modules: they import nothing vendored. */
const ESM_BUNDLES = new Set(['zod', 'jsonc-parser'])

const require = createRequire(import.meta.url)
const map = {}
for (const specifier of VENDORED) {
  const format = ESM_BUNDLES.has(specifier) ? 'esm' : 'cjs'
  // Its package.json, found from what `require` resolves to (some packages do not export ./package.json).
  const required = require.resolve(specifier)
  const name = packageName(specifier)
  const root = required.slice(
    0,
    required.lastIndexOf(`/node_modules/${name}/`) + `/node_modules/${name}`.length,
  )
  const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'))
  // The entry of that format: what `require` resolves to for CommonJS; for an ES module bundle what `import`
  // resolves to, or, for a package without `exports`, the ES module build its `module` field names
  // (jsonc-parser's `main` is UMD, whose require calls a bundler cannot follow).
  const entry =
    format === 'cjs'
      ? required
      : pkg.exports || !pkg.module
        ? fileURLToPath(import.meta.resolve(specifier))
        : `${root}/${pkg.module}`
  const file = `${specifier.replace('@', '').replaceAll('/', '-')}.${format === 'cjs' ? 'cjs' : 'js'}`
  await build({
    ...(LAZY_INDEXES.has(specifier) ? lazyIndex(entry) : { entryPoints: [entry] }),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format,
    external: VENDORED.filter((other) => other !== specifier),
    outfile: fileURLToPath(new URL(`../dist/vendor/${file}`, import.meta.url)),
    banner: { js: `// ${pkg.name}@${pkg.version}, bundled by scripts/bundle-vendor.js` },
    logLevel: 'warning',
    legalComments: 'eof',
    // The OTLP transport loads node:http(s) by import(), whose ESM namespace reads every export of node:http,
    // undici's lazy ones too (about 30 ms per `trace exec`); as require() it does not. Only builtins are
    // imported so there; oclif's import() of ESM commands must stay one.
    ...(specifier === '@opentelemetry/otlp-exporter-base/node-http'
      ? { supported: { 'dynamic-import': false } }
      : {}),
  })
  map[specifier] = { file, format: format === 'cjs' ? 'commonjs' : 'module' }
}
await bundleOclif()
writeFileSync(new URL('../dist/vendor/vendor.json', import.meta.url), `${JSON.stringify(map, null, 2)}\n`)

/**
 * @oclif/core as one bundle with two doors. Its index loads all of oclif (its config, plugin loading, help:
 * about 25 ms); goblin's own commands, which run without oclif where no plugin is installed
 * (src/cli/lean-run.ts), need only the parts below, about half of it. The bundle exports those parts, loaded
 * with it, and the index behind a getter; each specifier gets a small module that re-exports its part name by
 * name (so that ES modules can import the names) from that one bundle: one copy of every oclif module,
 * whichever door it was loaded through.
 */
async function bundleOclif() {
  const parts = {
    '@oclif/core/flags': 'flags',
    '@oclif/core/args': 'args',
    '@oclif/core/errors': 'errors',
    '@oclif/core/parser': 'parser',
    '@oclif/core/ux': 'ux',
  }
  const { version } = require('@oclif/core/package.json')
  const bundle = 'oclif-core-bundle.cjs'
  const outfile = fileURLToPath(new URL(`../dist/vendor/${bundle}`, import.meta.url))
  const lines = Object.entries(parts).map(([specifier, part]) => `  ${part}: require('${specifier}'),`)
  await build({
    stdin: {
      contents: `module.exports = {\n${lines.join('\n')}\n  get index() {\n    return require('@oclif/core')\n  },\n}\n`,
      resolveDir: fileURLToPath(new URL('..', import.meta.url)),
      sourcefile: 'oclif-core-doors.cjs',
    },
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: VENDORED,
    outfile,
    banner: { js: `// @oclif/core@${version}, bundled by scripts/bundle-vendor.js` },
    logLevel: 'warning',
    legalComments: 'eof',
  })
  const built = require(outfile)
  for (const [specifier, part] of [['@oclif/core', 'index'], ...Object.entries(parts)]) {
    const names = Object.keys(built[part]).filter((name) => name !== 'default' && name !== '__esModule')
    for (const name of names)
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new Error(`${specifier} exports ${name}`)
    const file = `${specifier.replace('@', '').replaceAll('/', '-')}.cjs`
    writeFileSync(
      new URL(`../dist/vendor/${file}`, import.meta.url),
      [
        `// ${specifier}@${version}: its part of ${bundle}, by name (scripts/bundle-vendor.js)`,
        `const part = require('./${bundle}').${part}`,
        ...names.map((name) => `exports.${name} = part.${name}`),
        '',
      ].join('\n'),
    )
    map[specifier] = { file, format: 'commonjs' }
  }
}
