import { Box, render, Text } from 'ink'
import type { StackUpEvent } from '../stack/stack-report.js'
import { formatBytes } from './stack-events.js'

/** What the live view shows: each image's pull and each service's phase, as events last reported them. */
export interface UpProgressState {
  images: Array<{ image: string; status: string; current?: number; total?: number; done: boolean }>
  services: Array<{ service: string; phase: string; detail?: string }>
  notes: string[]
}

const BAR_WIDTH = 24
const PHASE_COLOR: Record<string, string> = {
  healthy: 'green',
  running: 'green',
  waiting: 'yellow',
  stopping: 'red',
}

/** Folds one `up` event into the state (pure, so the view can be tested without a terminal). */
export function applyUpEvent(state: UpProgressState, event: StackUpEvent): UpProgressState {
  if (event.type === 'note') return { ...state, notes: [...state.notes, event.message] }
  if (event.type === 'pull') {
    const images = state.images.filter((i) => i.image !== event.image)
    const at = state.images.findIndex((i) => i.image === event.image)
    const entry = {
      image: event.image,
      status: event.status,
      current: event.current,
      total: event.total,
      done: event.done,
    }
    images.splice(at === -1 ? images.length : at, 0, entry)
    return { ...state, images }
  }
  const services = state.services.filter((s) => s.service !== event.service)
  const at = state.services.findIndex((s) => s.service === event.service)
  services.splice(at === -1 ? services.length : at, 0, {
    service: event.service,
    phase: event.phase,
    detail: event.detail,
  })
  return { ...state, services }
}

/** A bar for a pull: filled by bytes when the engine reports them, else full when done. */
export function progressBar(current: number | undefined, total: number | undefined, done: boolean): string {
  const fraction = done ? 1 : total ? Math.min(1, (current ?? 0) / total) : 0
  const filled = Math.round(fraction * BAR_WIDTH)
  return `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`
}

/** The live view of `goblin stack up`: one line per image being pulled, one per service. */
export function UpProgressView({ state }: { state: UpProgressState }) {
  const width = Math.max(0, ...state.services.map((s) => s.service.length))
  return (
    <Box flexDirection="column">
      {state.images.map((i) => (
        <Text key={i.image} wrap="truncate-start">
          <Text color={i.done ? 'green' : 'cyan'}>{progressBar(i.current, i.total, i.done)}</Text>{' '}
          {i.total ? `${formatBytes(i.current ?? 0)}/${formatBytes(i.total)} ` : ''}
          {i.done ? 'pulled' : i.status} {i.image}
        </Text>
      ))}
      {state.services.map((s) => (
        <Text key={s.service}>
          {s.service.padEnd(width)} <Text color={PHASE_COLOR[s.phase]}>{s.phase}</Text>
          {s.detail ? <Text dimColor> {s.detail}</Text> : null}
        </Text>
      ))}
      {state.notes.map((n) => (
        <Text key={n} color="yellow">
          note: {n}
        </Text>
      ))}
    </Box>
  )
}

/** Starts the live view on a TTY stream; `stop` leaves its last frame on screen. */
export function startUpProgress(stream: NodeJS.WriteStream): {
  onEvent: (event: StackUpEvent) => void
  stop: () => void
} {
  let state: UpProgressState = { images: [], services: [], notes: [] }
  let stopped = false
  const instance = render(<UpProgressView state={state} />, {
    stdout: stream,
    patchConsole: false,
    exitOnCtrlC: false,
  })
  return {
    onEvent(event) {
      if (stopped) return
      state = applyUpEvent(state, event)
      instance.rerender(<UpProgressView state={state} />)
    },
    stop() {
      if (stopped) return
      stopped = true
      instance.unmount()
    },
  }
}
