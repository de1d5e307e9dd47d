import { GoblinError } from '../core/errors.js'
import { findPortHolder, isPortFree } from './port-probe.js'

/** A host port the stack wants to publish. */
export interface WantedPort {
  service: string
  name: string
  port: number
  host?: string
}

export interface PortConflict extends WantedPort {
  /** Who holds it: `process 123 (nginx -g ...)` or `container web (abc123)`, or `unknown` when hidden. */
  holder: string
}

/**
 * The wanted ports that something else already holds, each with its holder. `describeHolder` may name a
 * container first (the docker runtime asks the engine); the process from /proc is the fallback.
 */
export async function findPortConflicts(
  wanted: WantedPort[],
  describeHolder: (port: number) => Promise<string | null> = async () => null,
): Promise<PortConflict[]> {
  const conflicts: PortConflict[] = []
  for (const want of wanted) {
    if (await isPortFree(want.port, want.host ?? '127.0.0.1')) continue
    const container = await describeHolder(want.port)
    const process = container ? null : findPortHolder(want.port)
    const holder = container ?? (process ? `process ${process.pid} (${process.command})` : 'unknown')
    conflicts.push({ ...want, holder })
  }
  return conflicts
}

/** The error `up` throws before starting anything when a port it needs is taken. */
export function portConflictError(conflicts: PortConflict[]): GoblinError {
  const lines = conflicts.map((c) => `  ${c.name} port ${c.port} (${c.service}) is held by ${c.holder}`)
  return new GoblinError(
    'STACK_PORT_TAKEN',
    `${conflicts.length === 1 ? 'a port' : 'ports'} the stack needs ${conflicts.length === 1 ? 'is' : 'are'} taken; nothing was started:\n${lines.join('\n')}`,
    {
      hint: `Stop what holds ${conflicts.length === 1 ? 'it' : 'them'}, or set other ports under stack.ports in goblin.config.json (e.g. {"stack": {"ports": {"${conflicts[0]?.name ?? 'grafana'}": ${(conflicts[0]?.port ?? 3000) + 10000}}}}).`,
    },
  )
}
