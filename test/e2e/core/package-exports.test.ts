import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO_ROOT, tempDir } from '../../helpers/cli.js'

// The package as npm publishes it (npm pack), installed into a scratch project: every entry of
// package.json "exports" must load there, and the library entries must carry the SDK.
const scratch = tempDir('goblin-pack-')
afterAll(() => scratch.cleanup())

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  name: string
  exports: Record<string, string>
}

describe('package.json exports', () => {
  it('every export of the packed package imports from a project that installed it', async () => {
    const packed = await execa('npm', ['pack', '--json', '--pack-destination', scratch.path], {
      cwd: REPO_ROOT,
    })
    const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }]
    const installed = join(scratch.path, 'app', 'node_modules', ...pkg.name.split('/'))
    mkdirSync(installed, { recursive: true })
    await execa('tar', ['-xzf', join(scratch.path, filename), '-C', installed, '--strip-components=1'])
    // Its dependencies: goblin's own installed ones (no network here).
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(installed, 'node_modules'))

    const probe = join(scratch.path, 'app', 'probe.mjs')
    writeFileSync(
      probe,
      `const specifiers = ${JSON.stringify(Object.keys(pkg.exports).map((key) => pkg.name + key.slice(1)))}
const loaded = {}
for (const specifier of specifiers) {
  const mod = specifier.endsWith('.json')
    ? await import(specifier, { with: { type: 'json' } })
    : await import(specifier)
  loaded[specifier] = Object.keys(mod).sort()
}
console.log(JSON.stringify(loaded))
`,
    )
    const run = await execa(process.execPath, [probe], { cwd: join(scratch.path, 'app') })
    const loaded = JSON.parse(run.stdout) as Record<string, string[]>
    expect(Object.keys(loaded)).toEqual(Object.keys(pkg.exports).map((key) => pkg.name + key.slice(1)))
    for (const [specifier, names] of Object.entries(loaded))
      expect(names.length, specifier).toBeGreaterThan(0)
    expect(loaded[pkg.name]).toEqual(
      expect.arrayContaining(['initTracing', 'withLlmSpan', 'projectConfigJsonSchema']),
    )
    expect(loaded[`${pkg.name}/telemetry`]).toEqual(
      expect.arrayContaining(['initTracing', 'auditEmitter', 'costGuard']),
    )
  }, 180_000)
})
