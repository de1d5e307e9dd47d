import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseFastExec } from '../../../src/cli/fast-trace-exec.js'
import { REPO_ROOT, runGoblin, runRecordingLoads, tempDir } from '../../helpers/cli.js'
import { startTestCollector, type TestCollector } from '../../integration/collector/collector-fixture.js'

const NODE = process.execPath
const oclif = pathToFileURL(join(REPO_ROOT, 'dist/vendor/oclif-core.cjs')).href
const oclifParser = pathToFileURL(join(REPO_ROOT, 'dist/vendor/oclif-core-parser.cjs')).href

// bin/run.js runs `trace exec` without oclif where oclif would add nothing (src/cli/fast-trace-exec.ts): the
// span must still arrive, and a plugin's hooks must still run around the command.
describe('trace exec without oclif', { timeout: 180_000 }, () => {
  let tc: TestCollector
  beforeAll(async () => {
    tc = await startTestCollector()
  })
  afterAll(() => tc.stop())

  it('exports the span and prints the --json document without loading oclif', async () => {
    const { run, loaded } = await runRecordingLoads(
      [
        'trace',
        'exec',
        '--json',
        '--name=fast',
        '--attr',
        'task.id=t-1',
        '--',
        NODE,
        '-e',
        'process.exit(4)',
      ],
      { OTEL_EXPORTER_OTLP_ENDPOINT: tc.collector.url },
    )
    expect(run.exitCode, run.stderr).toBe(4)
    const summary = JSON.parse(run.stdout)
    // As oclif prints it (execa drops the last newline).
    expect(run.stdout).toBe(JSON.stringify(summary, null, 2))
    expect(summary).toMatchObject({ exitCode: 4, sampled: true, exported: true })
    expect(tc.collector.store.getTrace(summary.traceId)[0]).toMatchObject({ name: 'fast', statusCode: 2 })
    expect(loaded).not.toContain(oclif)
  })

  it("leaves flags it does not know to oclif's parser, and help to oclif", async () => {
    const unknown = await runRecordingLoads(['trace', 'exec', '--nope', '--', 'true'])
    expect(unknown.run.exitCode).toBe(2)
    expect(unknown.run.stderr).toContain('Nonexistent flag: --nope')
    expect(unknown.loaded).toContain(oclifParser)
    const help = await runRecordingLoads(['trace', 'exec', '--help'])
    expect(help.run.exitCode, help.run.stderr).toBe(0)
    expect(help.loaded).toContain(oclif)
    expect(parseFastExec(['--help'])).toBeNull()
    expect(parseFastExec(['--name', 'a', '--name', 'b', '--', 'true'])).toBeNull()
    expect(parseFastExec(['--name', '--json', '--', 'true'])).toBeNull()
    expect(parseFastExec(['--json', '--attr=a=b', '--attr', 'c=d', '--', 'x', '--json'])).toEqual({
      json: true,
      request: { command: 'x', args: ['--json'], attr: ['a=b', 'c=d'] },
    })
  })

  it('goes through oclif when a plugin is installed: its prerun hook runs around trace exec', async () => {
    const home = tempDir('goblin-fast-exec-plugin-')
    try {
      const plugin = join(home.path, 'goblin-plugin-prerun')
      const marker = join(home.path, 'prerun-ran')
      mkdirSync(plugin)
      writeFileSync(
        join(plugin, 'package.json'),
        JSON.stringify({
          name: 'goblin-plugin-prerun',
          version: '1.0.0',
          type: 'module',
          oclif: { hooks: { prerun: './prerun.js' } },
        }),
      )
      writeFileSync(
        join(plugin, 'prerun.js'),
        `import { writeFileSync } from 'node:fs'
export default async function (options) { writeFileSync(${JSON.stringify(marker)}, options.Command.id) }\n`,
      )
      const env = { GOBLIN_HOME: home.path, OTEL_EXPORTER_OTLP_ENDPOINT: tc.collector.url }
      const link = await runGoblin(['plugins', 'link', plugin, '--no-install'], { env })
      expect(link.exitCode, link.stderr).toBe(0)
      const run = await runGoblin(['trace', 'exec', '--json', '--', NODE, '-e', '0'], { env })
      expect(run.exitCode, run.stderr).toBe(0)
      expect(JSON.parse(run.stdout)).toMatchObject({ exitCode: 0, exported: true })
      expect(existsSync(marker)).toBe(true)
      expect(readFileSync(marker, 'utf8')).toBe('trace:exec')
    } finally {
      home.cleanup()
    }
  })
})
