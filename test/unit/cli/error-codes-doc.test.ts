import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../../../src/core/errors.js'

describe('docs/cli.md', () => {
  it('lists every error code with its exit code, and no code that does not exist', () => {
    const doc = readFileSync(new URL('../../../docs/cli.md', import.meta.url), 'utf8')
    const documented: Record<string, number> = {}
    for (const [, exit, codes] of doc.matchAll(/^\| ([123]) \| (`[A-Z0-9_]+`(?:, `[A-Z0-9_]+`)*) \|$/gm))
      for (const [, code] of (codes as string).matchAll(/`([A-Z0-9_]+)`/g))
        documented[code as string] = Number(exit)
    // When this fails after adding a code: npm run build && npm run docs (scripts/error-codes-doc.js).
    expect(documented).toEqual({ ...ERROR_CODES })
  })

  it('is what scripts/error-codes-doc.js generates (its --check agrees)', () => {
    const check = spawnSync(process.execPath, ['scripts/error-codes-doc.js', '--check'], { encoding: 'utf8' })
    expect(check.stderr).toBe('')
    expect(check.status).toBe(0)
  })
})
