import { loadProjectConfig } from '../../core/config.js'
import { DEFAULT_STACK_PORTS } from '../../stack/default-ports.js'
import { readEmbeddedState } from '../../stack/embedded-state.js'
import { findPortHolder, isPortFree } from '../../stack/port-probe.js'
import type { Check } from '../check.js'

export const stackPortsCheck: Check = {
  id: 'ports',
  title: 'Stack ports free',
  async run({ cwd, goblinHome }) {
    let configured: Record<string, number>
    try {
      configured = loadProjectConfig(cwd).config.stack.ports
    } catch {
      return { status: 'skip', detail: 'goblin.config.json is invalid (see the config check)' }
    }
    const ports = { ...DEFAULT_STACK_PORTS, ...configured }
    const embedded = readEmbeddedState(goblinHome)
    const taken: string[] = []
    const ours: string[] = []
    for (const [service, port] of Object.entries(ports)) {
      if (await isPortFree(port)) continue
      if (embedded && embedded.port === port) {
        ours.push(`${service}:${port}`)
        continue
      }
      const holder = findPortHolder(port)
      taken.push(`${service}:${port}${holder ? ` (process ${holder.pid}: ${holder.command})` : ''}`)
    }
    if (taken.length === 0) {
      const held = ours.length > 0 ? ` (${ours.join(', ')} held by goblin's embedded stack)` : ''
      return { status: 'ok', detail: `${Object.keys(ports).length} ports free${held}` }
    }
    return {
      status: 'warn',
      detail: `in use by something else: ${taken.join(', ')}`,
      fix: 'Stop what holds them, or set other ports under stack.ports in goblin.config.json.',
    }
  },
}
