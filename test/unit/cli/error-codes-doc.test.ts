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
    expect(documented).toEqual({ ...ERROR_CODES })
  })
})
