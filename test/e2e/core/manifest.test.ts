import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Plugin } from '@oclif/core'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../helpers/cli.js'

describe('oclif.manifest.json', () => {
  it('matches the built commands (regenerate with `npm run build && npm run manifest`)', async () => {
    // The same plugin load `oclif manifest` performs, without writing the file.
    const plugin = new Plugin({
      root: REPO_ROOT,
      type: 'core',
      ignoreManifest: true,
      errorOnManifestCreate: true,
    })
    await plugin.load()
    const committed = JSON.parse(readFileSync(join(REPO_ROOT, 'oclif.manifest.json'), 'utf8'))
    const fresh = JSON.parse(JSON.stringify(plugin.manifest))
    expect(Object.keys(committed.commands).sort()).toEqual(Object.keys(fresh.commands).sort())
    expect(committed.commands).toEqual(fresh.commands)
  })
})
