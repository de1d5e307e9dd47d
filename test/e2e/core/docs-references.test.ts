import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { describe, expect, it } from 'vitest'
import { defaultProjectConfig } from '../../../src/core/config-schema.js'
import { REPO_ROOT } from '../../helpers/cli.js'

// The generated references in docs/ must be what the code generates now (regenerate, then compare).
const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8')

/** Every leaf setting of the defaults, as dotted keys (`collector.retention.max_age_hours`). */
function leafKeys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix]
  const entries = Object.entries(value)
  if (entries.length === 0) return [prefix]
  return entries.flatMap(([key, child]) => leafKeys(child, prefix ? `${prefix}.${key}` : key))
}

describe('docs/commands.md and docs/settings.md (generated)', () => {
  it('are current: scripts/docs-references.js --check regenerates both and finds no difference', async () => {
    const check = await execa(process.execPath, ['scripts/docs-references.js', '--check'], {
      cwd: REPO_ROOT,
      reject: false,
    })
    expect(check.stderr, 'run npm run build && npm run docs, then commit docs/').toBe('')
    expect(check.exitCode).toBe(0)
  }, 60_000)

  it('the command reference has a section for every command of the manifest', () => {
    const manifest = JSON.parse(read('oclif.manifest.json')) as { commands: Record<string, unknown> }
    const reference = read('docs/commands.md')
    for (const id of Object.keys(manifest.commands)) {
      expect(reference, id).toMatch(new RegExp(`^## \`goblin ${id.replaceAll(':', ' ')}[\` ]`, 'm'))
    }
  })

  it('the settings reference has a row for every setting with its default', () => {
    const reference = read('docs/settings.md')
    const defaults = defaultProjectConfig()
    for (const key of leafKeys(defaults)) {
      const value = key
        .split('.')
        .reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], defaults)
      expect(reference, key).toContain(`| \`${key}\` |`)
      expect(reference, key).toContain(`| \`${JSON.stringify(value)}\` |`)
    }
    for (const key of [
      'anchor.s3.bucket',
      'anchor.s3.region',
      'anchor.ethereum.rpc_url',
      'cost.budgets[].usd',
    ]) {
      expect(reference).toContain(`| \`${key}\` |`)
    }
  })
})
