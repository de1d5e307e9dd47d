import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { afterAll, describe, expect, it } from 'vitest'
import { parseJson, REPO_ROOT, runGoblin, tempDir } from '../../helpers/cli.js'

// `goblin config schema` and the schema the package ships, checked by a real JSON Schema validator (Ajv, draft
// 2020-12, as editors use) against files goblin itself accepts and refuses.
const home = tempDir()
const project = tempDir('goblin-project-')
afterAll(() => {
  home.cleanup()
  project.cleanup()
})
const env = { GOBLIN_HOME: home.path }

const good = {
  $schema: './goblin.config.schema.json',
  stack: { runtime: 'embedded', ports: { 'otlp-http': 14318 } },
  collector: { port: 14318, retention: { max_age_hours: 24 } },
  audit: { origin: 'goblin/ci', key: 'ci' },
  cost: { budgets: [{ goblin: 'researcher', period: 'day', usd: 25, warn_at: 0.8 }] },
  anchor: { s3: { bucket: 'audit-bucket', region: 'eu-west-1' } },
}
const bad: Array<[string, unknown]> = [
  ['a misspelt section', { colector: { port: 4318 } }],
  ['a port out of range', { collector: { port: 70000 } }],
  ['an unknown runtime', { stack: { runtime: 'kubernetes' } }],
  ['a budget without usd', { cost: { budgets: [{ period: 'day' }] } }],
  ['an unknown S3 field', { anchor: { s3: { bucket: 'b', retention: 3 } } }],
]

async function goblinAccepts(config: unknown): Promise<{ exitCode: number; stderr: string }> {
  writeFileSync(join(project.path, 'goblin.config.json'), JSON.stringify(config, null, 2))
  return runGoblin(['config', 'show'], { env, cwd: project.path })
}

describe('goblin config schema', () => {
  it('prints the schema the package ships in dist', async () => {
    const run = await runGoblin(['config', 'schema'], { env })
    expect(run.exitCode).toBe(0)
    const printed = JSON.parse(run.stdout)
    const shipped = JSON.parse(readFileSync(join(REPO_ROOT, 'dist/goblin.config.schema.json'), 'utf8'))
    expect(printed).toEqual(shipped)
    expect(printed.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(parseJson(await runGoblin(['config', 'schema', '--json'], { env }))).toEqual(shipped)
  })

  it('accepts what goblin accepts and refuses what goblin refuses, naming the field', async () => {
    const schema = parseJson<Record<string, unknown>>(
      await runGoblin(['config', 'schema', '--json'], { env }),
    )
    const validate = new Ajv2020({ allErrors: true, strict: false, validateFormats: false }).compile(schema)
    expect(validate(good), JSON.stringify(validate.errors)).toBe(true)
    expect((await goblinAccepts(good)).exitCode).toBe(0)
    for (const [what, config] of bad) {
      expect(validate(config), what).toBe(false)
      const goblin = await goblinAccepts(config)
      expect(goblin.exitCode, what).toBe(2)
      expect(goblin.stderr, what).toContain('goblin.config.json:')
    }
  }, 120_000)
})
