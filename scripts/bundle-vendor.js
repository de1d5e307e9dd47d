// Build step: @oclif/core and zod, each bundled into one file under dist/vendor, which bin/run.js serves
// for their bare specifiers (a resolve hook), so every command loads two files instead of about 300 modules
// (oclif 65 and its semver 47, zod 95): `config show` went from about 160 ms to 85 ms. The installed
// packages stay the source; each bundle's first line names the version it was built from. Generated, not in git.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

/** What bin/run.js serves: the bare specifier, its bundle's file, and the bundle's module format. */
export const VENDOR = [
  { specifier: '@oclif/core', file: 'oclif-core.cjs', format: 'cjs' },
  { specifier: 'zod', file: 'zod.js', format: 'esm' },
]

for (const { specifier, file, format } of VENDOR) {
  // The entry an `import` of the specifier resolves to (zod's ESM build, oclif's only one).
  const entry = fileURLToPath(import.meta.resolve(specifier))
  const pkg = JSON.parse(
    readFileSync(fileURLToPath(import.meta.resolve(`${specifier}/package.json`)), 'utf8'),
  )
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format,
    outfile: new URL(`../dist/vendor/${file}`, import.meta.url).pathname,
    banner: { js: `// ${pkg.name}@${pkg.version}, bundled by scripts/bundle-vendor.js` },
    logLevel: 'warning',
    legalComments: 'eof',
  })
}
