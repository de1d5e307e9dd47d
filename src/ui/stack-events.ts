import type { StackUpEvent } from '../stack/stack-report.js'

/** One plain stderr line for an `up` event (no TTY, CI, or a piped stderr); null for what is too chatty. */
export function describeUpEvent(event: StackUpEvent): string | null {
  switch (event.type) {
    case 'phase':
      return `${event.service}: ${event.phase}${event.detail ? ` (${event.detail})` : ''}`
    case 'pull':
      if (!event.done && event.status !== 'pulling') return null
      return `${event.image}: ${event.done ? 'pulled' : 'pulling'}${event.total ? ` (${formatBytes(event.total)})` : ''}`
    case 'note':
      return `note: ${event.message}`
  }
}

/** `12.3 MB`: a byte count for people. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  const units = ['kB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = -1
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

/** `1h 2m`, `3m 4s`, `5s`: an uptime for people. */
export function formatUptime(seconds: number | null): string {
  if (seconds === null) return '-'
  if (seconds < 60) return `${seconds}s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${seconds % 60}s`
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`
  return `${Math.floor(seconds / 86_400)}d ${Math.floor((seconds % 86_400) / 3600)}h`
}
