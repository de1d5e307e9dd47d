import type { ServiceStatus, StackUrl } from '../stack/stack-report.js'
import { formatUptime } from './stack-events.js'
import type { Tone } from './style.js'
import { renderTable } from './table.js'

const HEALTH_TONE: Record<ServiceStatus['health'], Tone | undefined> = {
  healthy: 'green',
  unhealthy: 'red',
  starting: 'yellow',
  none: undefined,
}

/** The services as a table: name, state, health, ports, uptime, image. */
export function renderServices(
  services: ServiceStatus[],
  options: { color: boolean; columns: number },
): string {
  return renderTable(
    services,
    [
      { header: 'SERVICE', value: (s) => s.name },
      { header: 'RUNTIME', value: (s) => s.runtime },
      { header: 'STATE', value: (s) => s.state, tone: (s) => (s.state === 'running' ? 'green' : 'red') },
      { header: 'HEALTH', value: (s) => s.health, tone: (s) => HEALTH_TONE[s.health] },
      {
        header: 'PORTS',
        value: (s) => s.ports.map((p) => `${p.name}:${p.host}`).join(' ') || '-',
      },
      { header: 'UPTIME', value: (s) => formatUptime(s.uptimeSeconds), align: 'right' },
      // An image reference is an identifier: printed whole, last, so a narrow terminal wraps it instead of cutting it.
      { header: 'IMAGE', value: (s) => s.image },
    ],
    options,
  )
}

/** The URLs, aligned: what each is, and where. */
export function renderUrls(urls: StackUrl[]): string {
  const width = Math.max(0, ...urls.map((u) => u.name.length))
  return urls.map((u) => `  ${u.name.padEnd(width)}  ${u.url}`).join('\n')
}

/** The lines a user copies into a shell so its programs send telemetry to the stack. */
export function renderExports(env: Record<string, string>): string {
  const lines = Object.entries(env).map(([name, value]) => `export ${name}=${value}`)
  return ['# send telemetry from this shell to the stack:', ...lines].join('\n')
}
