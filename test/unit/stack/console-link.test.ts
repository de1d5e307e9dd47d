import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadProjectConfig } from '../../../src/core/config.js'
import { browserOpener, consoleUrl } from '../../../src/stack/console-link.js'
import { tempDir } from '../../helpers/cli.js'

const bin = tempDir()
for (const name of ['open', 'xdg-open']) {
  writeFileSync(join(bin.path, name), '#!/bin/sh\n')
  chmodSync(join(bin.path, name), 0o755)
}
afterAll(() => bin.cleanup())

describe('goblin console: who opens the page', () => {
  const path = { PATH: bin.path }
  it('is open on macOS, xdg-open on a Unix desktop, nobody without a display or on Windows', async () => {
    expect(await browserOpener('darwin', path)).toBe(join(bin.path, 'open'))
    expect(await browserOpener('linux', { ...path, DISPLAY: ':0' })).toBe(join(bin.path, 'xdg-open'))
    expect(await browserOpener('freebsd', { ...path, WAYLAND_DISPLAY: 'wayland-0' })).toBe(
      join(bin.path, 'xdg-open'),
    )
    expect(await browserOpener('linux', path)).toBeNull()
    expect(await browserOpener('linux', { PATH: '/nonexistent', DISPLAY: ':0' })).toBeNull()
    expect(await browserOpener('win32', { ...path, DISPLAY: ':0' })).toBeNull()
  })

  it('refuses a trace reference that is not 4 to 32 hex digits before asking any collector', async () => {
    const { config } = loadProjectConfig(bin.path)
    for (const ref of ['abc', 'newest', 'g123', `${'a'.repeat(33)}`])
      await expect(consoleUrl(bin.path, config, ref)).rejects.toMatchObject({ code: 'BAD_TRACE_ID', exit: 2 })
  })
})
