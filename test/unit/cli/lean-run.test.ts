import { describe, expect, it } from 'vitest'
import { findLeanCommand } from '../../../src/cli/lean-run.js'

// The part of oclif.manifest.json that decides how argv names a command.
const commands = {
  'config:show': { relativePath: ['dist', 'commands', 'config', 'show.js'] },
  'cost:report': { relativePath: ['dist', 'commands', 'cost', 'report.js'] },
  'cost:prices:list': { relativePath: ['dist', 'commands', 'cost', 'prices', 'list.js'] },
  'trace:show': { relativePath: ['dist', 'commands', 'trace', 'show.js'], args: { id: {} } },
  'trace:exec': { relativePath: ['dist', 'commands', 'trace', 'exec.js'], strict: false },
  doctor: { relativePath: ['dist', 'commands', 'doctor.js'] },
  'plugins:new': { relativePath: ['dist', 'commands', 'plugins', 'new.js'], args: { name: {} } },
}
const find = (...argv: string[]) => findLeanCommand(argv, commands, ['--help', '-h'])

describe('findLeanCommand: the command argv names, as oclif finds it', () => {
  it('reads topic words up to the first flag or argument', () => {
    expect(find('config', 'show')).toMatchObject({ id: 'config:show', argv: [] })
    expect(find('cost', 'report', '--by', 'model')).toMatchObject({
      id: 'cost:report',
      argv: ['--by', 'model'],
    })
    expect(find('cost', 'prices', 'list')).toMatchObject({ id: 'cost:prices:list' })
    expect(find('trace', 'show', 'abc123', '--all')).toMatchObject({
      id: 'trace:show',
      argv: ['abc123', '--all'],
    })
    expect(find('cost:report', '--json')).toMatchObject({ id: 'cost:report', argv: ['--json'] })
    expect(find('doctor', '--only=node')).toMatchObject({ id: 'doctor', argv: ['--only=node'] })
  })

  it('passes what follows -- to a command that takes it, help flags there included', () => {
    expect(find('trace', 'exec', '--', 'ls', '--help')).toMatchObject({
      id: 'trace:exec',
      argv: ['--', 'ls', '--help'],
    })
  })

  it('finds nothing where oclif answers otherwise: help, a topic, an unknown word, the plugins topic', () => {
    expect(find('cost', 'report', '--help')).toBeNull()
    expect(find('config', 'show', '-h')).toBeNull()
    expect(find('cost')).toBeNull()
    expect(find('cost', 'prices')).toBeNull()
    expect(find('nope')).toBeNull()
    expect(find()).toBeNull()
    expect(find('--json')).toBeNull()
    // oclif joins the word to the name of a command that takes no arguments: "doctor:extra not found".
    expect(find('doctor', 'extra')).toBeNull()
    expect(find('plugins', 'new', 'x')).toBeNull()
  })

  it('leaves deprecated commands and commands with deprecated flags to oclif, which warns of them', () => {
    const old = { relativePath: ['old.js'], state: 'deprecated' }
    const flagged = { relativePath: ['f.js'], flags: { since: {}, window: { deprecated: { to: 'since' } } } }
    expect(findLeanCommand(['old'], { old }, ['--help'])).toBeNull()
    expect(findLeanCommand(['f', '--since', '1h'], { f: flagged }, ['--help'])).toBeNull()
  })
})
