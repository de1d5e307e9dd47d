import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT, runGoblin, tempDir } from '../../helpers/cli.js'

// bin/run.js serves @oclif/core and zod from one-file bundles (scripts/bundle-vendor.js): each must be the
// installed version, with the same exports, and the CLI must load them and no second copy.
const require = createRequire(join(REPO_ROOT, 'package.json'))
const vendor = (file: string) => join(REPO_ROOT, 'dist/vendor', file)

describe('dist/vendor bundles', () => {
  it('are built from the installed versions and export the same names', async () => {
    for (const [specifier, file] of [
      ['@oclif/core', 'oclif-core.cjs'],
      ['zod', 'zod.js'],
    ] as const) {
      const pkg = JSON.parse(readFileSync(require.resolve(`${specifier}/package.json`), 'utf8'))
      expect(readFileSync(vendor(file), 'utf8').split('\n')[0]).toBe(
        `// ${specifier}@${pkg.version}, bundled by scripts/bundle-vendor.js`,
      )
      const bundled = await import(pathToFileURL(vendor(file)).href)
      const installed = await import(specifier)
      // Importing CommonJS adds a `default` export, whichever copy it is.
      const names = (m: object) =>
        Object.keys(m)
          .filter((k) => k !== 'default')
          .sort()
      expect(names(bundled)).toEqual(names(installed))
    }
  })

  it('are what the CLI loads, for goblin and for plugins: one copy of oclif', async () => {
    const home = tempDir('goblin-vendor-')
    try {
      const hook = join(home.path, 'loaded.mjs')
      const list = join(home.path, 'loaded.txt')
      // A load hook (as a user could add with --import) records every module the process loads.
      const source = `import module from 'node:module'; import { appendFileSync } from 'node:fs'
module.registerHooks({ load(url, context, next) { appendFileSync(${JSON.stringify(list)}, url + '\\n'); return next(url, context) } })`
      writeFileSync(hook, source)
      const run = await runGoblin(['plugins', '--json'], {
        env: { GOBLIN_HOME: home.path, NODE_OPTIONS: `--import=${pathToFileURL(hook).href}` },
      })
      expect(run.exitCode, run.stderr).toBe(0)
      const loaded = readFileSync(list, 'utf8').split('\n')
      expect(loaded).toContain(pathToFileURL(vendor('oclif-core.cjs')).href)
      expect(loaded.filter((url) => url.includes('node_modules/@oclif/core/'))).toEqual([])
      expect(loaded.filter((url) => url.includes('node_modules/zod/'))).toEqual([])
    } finally {
      home.cleanup()
    }
  })
})
