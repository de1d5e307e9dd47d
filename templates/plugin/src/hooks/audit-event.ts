import { appendFile } from 'node:fs/promises'
import type { Hook } from '@oclif/core'
import type { GoblinHooks } from '../contracts.js'

const FORWARD_FILE = '__PLUGIN_ENV___AUDIT_FILE'

/**
 * `goblin:audit-event`: sees each audit entry after goblin has durably appended it. This one forwards a
 * summary line per entry to the file named by the environment; a real plugin might post to a SIEM.
 * goblin ignores the answer, and a throw or hang here never blocks the append, which already happened.
 */
const hook: Hook<'goblin:audit-event', GoblinHooks> = async ({ entries }) => {
  const file = process.env[FORWARD_FILE]
  if (!file) return
  const lines = entries.map((entry) =>
    JSON.stringify({ seq: entry.seq, leafHash: entry.leafHash, action: entry.envelope.action ?? null }),
  )
  await appendFile(file, `${lines.join('\n')}\n`)
}

export default hook
