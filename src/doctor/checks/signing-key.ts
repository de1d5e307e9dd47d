import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { homePaths } from '../../core/paths.js'
import type { Check } from '../check.js'

/** Private signing keys are `*.key` files under GOBLIN_HOME/keys and must be readable by their owner only. */
export const signingKeyCheck: Check = {
  id: 'signing-key',
  title: 'Audit signing key',
  async run({ goblinHome }) {
    const dir = homePaths.keys(goblinHome)
    let names: string[]
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith('.key'))
    } catch {
      names = []
    }
    if (names.length === 0)
      return { status: 'skip', detail: 'no signing key yet (goblin audit keygen makes one)' }
    const loose: string[] = []
    for (const name of names) {
      const mode = (await stat(join(dir, name))).mode & 0o777
      if (mode !== 0o600) loose.push(`${name} (mode ${mode.toString(8)})`)
    }
    if (loose.length === 0) return { status: 'ok', detail: `${names.length} key(s) in ${dir}, mode 0600` }
    return {
      status: 'fail',
      detail: `private key readable by others: ${loose.join(', ')}`,
      fix: `chmod 600 ${join(dir, '*.key')}`,
    }
  },
}
