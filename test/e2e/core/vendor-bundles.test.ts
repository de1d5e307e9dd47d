import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { packageName } from '../../../src/cli/vendor-resolve.js'
import { REPO_ROOT, runRecordingLoads } from '../../helpers/cli.js'

// bin/run.js serves @oclif/core, zod and the OpenTelemetry SDK from one-file bundles (scripts/bundle-vendor.js):
// each must be the installed version, with the same exports, and the CLI must load them and no second copy.
const vendor = (file: string) => join(REPO_ROOT, 'dist/vendor', file)

describe('dist/vendor bundles', () => {
  it('are built from the installed versions and export the same names', async () => {
    const map = JSON.parse(readFileSync(vendor('vendor.json'), 'utf8')) as Record<string, { file: string }>
    expect(Object.keys(map)).toEqual(
      expect.arrayContaining(['@oclif/core', '@oclif/core/parser', 'zod', '@opentelemetry/api']),
    )
    for (const [specifier, { file }] of Object.entries(map)) {
      const installed = await import(specifier)
      // A subpath (@opentelemetry/otlp-exporter-base/node-http) is bundled from its package.
      const name = packageName(specifier)
      const version = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8'))
        .version as string
      const banner = `// ${name}@${version}, bundled by scripts/bundle-vendor.js`
      const first = readFileSync(vendor(file), 'utf8').split('\n')[0]
      // @oclif/core's specifiers are doors into one bundle, which carries the version.
      if (name === '@oclif/core') {
        expect(first).toBe(
          `// ${specifier}@${version}: its part of oclif-core-bundle.cjs, by name (scripts/bundle-vendor.js)`,
        )
        expect(readFileSync(vendor('oclif-core-bundle.cjs'), 'utf8').split('\n')[0]).toBe(banner)
      } else expect(first).toBe(banner)
      const bundled = await import(pathToFileURL(vendor(file)).href)
      // Importing CommonJS adds a `default` export, whichever copy it is.
      const names = (m: object) =>
        Object.keys(m)
          .filter((k) => k !== 'default' && k !== 'module.exports')
          .sort()
      expect(names(bundled), specifier).toEqual(names(installed))
    }
  })

  it('are what the CLI loads, for goblin and for plugins: one copy of oclif', async () => {
    const { run, loaded } = await runRecordingLoads(['plugins', '--json'])
    expect(run.exitCode, run.stderr).toBe(0)
    expect(loaded).toContain(pathToFileURL(vendor('oclif-core.cjs')).href)
    expect(loaded.filter((url) => url.includes('node_modules/@oclif/core/'))).toEqual([])
    expect(loaded.filter((url) => url.includes('node_modules/zod/'))).toEqual([])
  })

  it("give goblin's own commands oclif's parser from the same bundle, without oclif's index", async () => {
    const { run, loaded } = await runRecordingLoads(['config', 'show', '--json'])
    expect(run.exitCode, run.stderr).toBe(0)
    expect(loaded).toContain(pathToFileURL(vendor('oclif-core-bundle.cjs')).href)
    expect(loaded).toContain(pathToFileURL(vendor('oclif-core-parser.cjs')).href)
    expect(loaded).not.toContain(pathToFileURL(vendor('oclif-core.cjs')).href)
    expect(loaded.filter((url) => url.includes('node_modules/@oclif/core/'))).toEqual([])
  })

  it('carry trace exec: its span is exported through the bundled SDK, none of it loaded twice', async () => {
    // Nothing listens there: the export fails, which is reported, after the SDK has done its work.
    const { run, loaded } = await runRecordingLoads(
      ['trace', 'exec', '--json', '--', process.execPath, '-e', '0'],
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
      },
    )
    expect(JSON.parse(run.stdout)).toMatchObject({ exitCode: 0, sampled: true, exported: false })
    expect(run.stderr).toContain('not exported')
    expect(loaded).toContain(pathToFileURL(vendor('opentelemetry-sdk-trace-base.cjs')).href)
    expect(loaded).toContain(pathToFileURL(vendor('opentelemetry-otlp-exporter-base-node-http.cjs')).href)
    const twice = loaded.filter((url) =>
      /node_modules\/@opentelemetry\/(api|core|sdk-trace-base|resources|otlp-exporter-base)\//.test(url),
    )
    expect(twice).toEqual([])
  })
})
