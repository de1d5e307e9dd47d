import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../helpers/cli.js'

// goblin's commands run without oclif's index where no plugin is installed (src/cli/lean-run.ts): a value
// imported from `@oclif/core` itself, rather than from its parts (`@oclif/core/flags`, `/args`, `/errors`,
// `/parser`, `/ux`), would load the whole of oclif on that path again. Only what runs where oclif runs may.
const OCLIF_ONLY = new Set(['src/cli/entry.ts', 'src/plugins/shipped-plugins.ts'])

function sources(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file))
    .map((file) => join(dir, file))
}

describe("imports of oclif's index", () => {
  it('are types only, outside the modules that run where oclif runs', () => {
    const offenders = [...sources('commands'), ...sources('src')].filter((file) => {
      if (OCLIF_ONLY.has(file)) return false
      const text = readFileSync(join(REPO_ROOT, file), 'utf8')
      return /^import (?!type )[^\n]*from '@oclif\/core'$/m.test(text)
    })
    expect(offenders).toEqual([])
  })
})
