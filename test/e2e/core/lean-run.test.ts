import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runRecordingLoads, tempDir } from '../../helpers/cli.js'

// goblin's own commands run without oclif's config and plugin loading where no plugin is installed
// (src/cli/lean-run.ts), and through oclif as soon as plugin-plugins has recorded one in
// GOBLIN_HOME/plugins/package.json. Both must answer alike: the same stdout, stderr and exit code.
const home = tempDir('goblin-lean-')
afterAll(() => home.cleanup())
const pluginsRecord = join(home.path, 'plugins', 'package.json')
/** The index of oclif, which only the oclif path loads (the lean path loads its parser's part of the bundle). */
const OCLIF_INDEX = /\/dist\/vendor\/oclif-core\.cjs$/

async function run(args: string[], through: 'lean' | 'oclif') {
  rmSync(pluginsRecord, { force: true })
  if (through === 'oclif') {
    mkdirSync(join(home.path, 'plugins'), { recursive: true })
    // What `goblin plugins install` leaves behind, minus the plugin: oclif then searches for plugins.
    writeFileSync(pluginsRecord, JSON.stringify({ private: true, oclif: { schema: 1, plugins: [] } }))
  }
  const { run: result, loaded } = await runRecordingLoads(args, { GOBLIN_HOME: home.path })
  return { ...result, oclif: loaded.some((url) => OCLIF_INDEX.test(url)) }
}

describe('goblin commands without oclif, where no plugin is installed', () => {
  const same: string[][] = [
    ['config', 'show'],
    ['config', 'show', '--json'],
    ['cost', 'estimate', '--model', 'gpt-4o', '--input-tokens', '1200', '--output-tokens', '80', '--json'],
    ['cost', 'report', '--by', 'nope'],
    ['cost', 'report', '--by', 'nope', '--json'],
    ['trace', 'show'],
    ['trace', 'list', '--limit', 'many'],
    ['audit', 'verify', '--bogus', '--json'],
    ['audit', 'verify', '--ledger'],
    ['cost:estimate', '--model', 'no-such-model', '--input-tokens', '1'],
  ]
  it.each(same)('answer `%s …` as oclif does, without loading oclif', async (...args) => {
    const lean = await run(args, 'lean')
    const oclif = await run(args, 'oclif')
    expect(oclif.oclif).toBe(true)
    expect(lean.oclif).toBe(false)
    expect({ exit: lean.exitCode, stdout: lean.stdout, stderr: lean.stderr }).toEqual({
      exit: oclif.exitCode,
      stdout: oclif.stdout,
      stderr: oclif.stderr,
    })
  })

  const left: string[][] = [
    // oclif reads the word as part of the command's name: "not found", with a suggestion.
    ['doctor', 'extra'],
    // A topic: its help.
    ['cost'],
    ['config', 'show', '--help'],
    ['plugins', 'new', '--help'],
    ['nope'],
  ]
  it.each(left)('leave `%s …` to oclif, whose answer it is', async (...args) => {
    const lean = await run(args, 'lean')
    expect(lean.oclif).toBe(true)
  })
})
