import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { fillTemplate, scaffoldPlugin, TEMPLATE_TOKENS } from '../../../src/plugins/scaffold.js'
import { REPO_ROOT, tempDir } from '../../helpers/cli.js'

const templateDir = join(REPO_ROOT, 'templates', 'plugin')
const cleanups: Array<() => void> = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})
function scratch(): string {
  const dir = tempDir('goblin-scaffold-')
  cleanups.push(dir.cleanup)
  return dir.path
}

describe('fillTemplate', () => {
  it('replaces every placeholder, including one followed by more of an identifier', () => {
    const names = { packageName: 'goblin-plugin-acme', topic: 'acme', envPrefix: 'ACME', directoryName: 'x' }
    expect(fillTemplate('__PLUGIN_PACKAGE__ __PLUGIN_TOPIC__:a __PLUGIN_ENV___API_KEY', names)).toBe(
      'goblin-plugin-acme acme:a ACME_API_KEY',
    )
  })
})

describe('scaffoldPlugin', () => {
  it('writes the whole template with names filled in and no placeholder left', async () => {
    const parent = scratch()
    const result = await scaffoldPlugin({ name: 'acme', parentDir: parent, templateDir })
    expect(result.directory).toBe(join(parent, 'goblin-plugin-acme'))
    expect(result).toMatchObject({ packageName: 'goblin-plugin-acme', topic: 'acme', command: 'acme hello' })
    expect(result.files).toEqual(
      expect.arrayContaining([
        '.gitignore',
        'README.md',
        'package.json',
        'tsconfig.json',
        'src/commands/acme/hello.ts',
        'src/hooks/doctor-checks.ts',
        'src/hooks/stack-services.ts',
        'src/hooks/cost-prices.ts',
        'src/hooks/audit-event.ts',
        'test/hooks.test.ts',
      ]),
    )
    for (const file of result.files) {
      const text = readFileSync(join(result.directory, file), 'utf8')
      for (const token of Object.keys(TEMPLATE_TOKENS)) expect(text, file).not.toContain(token)
    }
    const pjson = JSON.parse(readFileSync(join(result.directory, 'package.json'), 'utf8'))
    expect(pjson.name).toBe('goblin-plugin-acme')
    expect(Object.keys(pjson.oclif.hooks).sort()).toEqual([
      'goblin:audit-event',
      'goblin:cost-prices',
      'goblin:doctor-checks',
      'goblin:stack-services',
    ])
  })

  it('refuses a directory that is not empty and leaves its files alone', async () => {
    const parent = scratch()
    mkdirSync(join(parent, 'goblin-plugin-acme'))
    writeFileSync(join(parent, 'goblin-plugin-acme', 'keep.txt'), 'mine')
    await expect(scaffoldPlugin({ name: 'acme', parentDir: parent, templateDir })).rejects.toMatchObject({
      code: 'PLUGIN_DIR_NOT_EMPTY',
      exit: 2,
    })
    expect(readdirSync(join(parent, 'goblin-plugin-acme'))).toEqual(['keep.txt'])
  })

  it('writes into an existing empty directory', async () => {
    const parent = scratch()
    mkdirSync(join(parent, 'goblin-plugin-acme'))
    const result = await scaffoldPlugin({ name: 'acme', parentDir: parent, templateDir })
    expect(readdirSync(result.directory)).toContain('package.json')
  })

  it('says so when the template is missing', async () => {
    const parent = scratch()
    await expect(
      scaffoldPlugin({ name: 'acme', parentDir: parent, templateDir: join(parent, 'nope') }),
    ).rejects.toMatchObject({ code: 'PLUGIN_TEMPLATE_MISSING', exit: 1 })
    expect(readdirSync(parent)).toEqual([])
  })
})
