import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  costPricesAnswer,
  DOCTOR_CHECKS_HOOK,
  doctorChecksAnswer,
  stackServicesAnswer,
} from '../../../src/plugins/contracts.js'
import { scaffoldPlugin } from '../../../src/plugins/scaffold.js'
import { REPO_ROOT, tempDir } from '../../helpers/cli.js'

// The template mirrors goblin's contracts as plain types so a plugin needs no goblin package to build.
// These tests keep the mirror honest: a scaffolded plugin's hooks must satisfy goblin's own schemas.
describe('templates/plugin', () => {
  const templateDir = join(REPO_ROOT, 'templates', 'plugin')

  it('scaffolds hooks whose answers pass goblin’s contract schemas', async () => {
    const dir = tempDir('goblin-template-')
    try {
      const plugin = await scaffoldPlugin({ name: 'acme', parentDir: dir.path, templateDir })
      const load = async (hook: string) =>
        (await import(join(plugin.directory, 'src/hooks', `${hook}.ts`))).default
      const oclif = { config: {}, context: {} }
      const doctor = await (await load('doctor-checks')).call({}, { env: { ACME_API_KEY: 'k' }, ...oclif })
      expect(doctorChecksAnswer().parse(doctor).checks).toEqual([
        expect.objectContaining({ id: 'acme:api-key', status: 'ok' }),
      ])
      const unset = await (await load('doctor-checks')).call({}, { env: {}, ...oclif })
      expect(doctorChecksAnswer().parse(unset).checks[0]).toMatchObject({
        status: 'warn',
        fix: expect.any(String),
      })
      const stack = await (await load('stack-services')).call({}, { stage: 'dev', ...oclif })
      expect(
        stackServicesAnswer()
          .parse(stack)
          .services.map((s) => s.name),
      ).toEqual(['acme-echo'])
      const prices = await (await load('cost-prices')).call({}, { ...oclif })
      expect(costPricesAnswer().parse(prices)).toMatchObject({ source: 'goblin-plugin-acme' })
      expect(await (await load('audit-event')).call({}, { entries: [], ...oclif })).toBeUndefined()
    } finally {
      dir.cleanup()
    }
  })

  it('declares every goblin hook in its oclif section, pointing at the built files', () => {
    const pjson = JSON.parse(readFileSync(join(templateDir, 'package.json'), 'utf8'))
    expect(pjson.oclif.hooks[DOCTOR_CHECKS_HOOK]).toBe('./dist/hooks/doctor-checks.js')
    expect(pjson.oclif.commands).toBe('./dist/commands')
    expect(pjson.files).toEqual(['dist', 'oclif.manifest.json'])
  })

  it('pins the same dependency ranges goblin builds with, so a plugin builds like goblin does', () => {
    const goblin = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'))
    const template = JSON.parse(readFileSync(join(templateDir, 'package.json'), 'utf8'))
    const goblinRanges = { ...goblin.dependencies, ...goblin.devDependencies }
    for (const [name, range] of Object.entries({ ...template.dependencies, ...template.devDependencies })) {
      expect(range, name).toBe(goblinRanges[name])
    }
  })
})
