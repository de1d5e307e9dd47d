import { renderToString } from 'ink'
import { describe, expect, it } from 'vitest'
import { describeUpEvent, formatBytes, formatUptime } from '../../../src/ui/stack-events.js'
import {
  applyUpEvent,
  progressBar,
  type UpProgressState,
  UpProgressView,
} from '../../../src/ui/stack-progress.js'

const empty: UpProgressState = { images: [], services: [], notes: [] }

describe('the up progress view', () => {
  it('keeps one line per image and per service, updated in place', () => {
    let state = applyUpEvent(empty, {
      type: 'pull',
      image: 'grafana/grafana:11.4.0',
      status: 'pulling',
      done: false,
    })
    state = applyUpEvent(state, {
      type: 'pull',
      image: 'grafana/tempo:2.6.1',
      status: 'pulling',
      done: false,
    })
    state = applyUpEvent(state, {
      type: 'pull',
      image: 'grafana/grafana:11.4.0',
      status: 'Downloading',
      current: 50_000_000,
      total: 100_000_000,
      done: false,
    })
    state = applyUpEvent(state, { type: 'phase', service: 'tempo', phase: 'waiting' })
    state = applyUpEvent(state, { type: 'phase', service: 'tempo', phase: 'healthy' })
    expect(state.images.map((i) => i.image)).toEqual(['grafana/grafana:11.4.0', 'grafana/tempo:2.6.1'])
    expect(state.services).toEqual([{ service: 'tempo', phase: 'healthy', detail: undefined }])
    const text = renderToString(<UpProgressView state={state} />, { columns: 120 })
    expect(text).toContain(
      `${'█'.repeat(12)}${'░'.repeat(12)} 50 MB/100 MB Downloading grafana/grafana:11.4.0`,
    )
    expect(text).toContain('tempo healthy')
  })

  it('draws bars by bytes, full when done, empty when the engine gives no sizes', () => {
    expect(progressBar(1, 4, false)).toBe(`${'█'.repeat(6)}${'░'.repeat(18)}`)
    expect(progressBar(undefined, undefined, true)).toBe('█'.repeat(24))
    expect(progressBar(undefined, undefined, false)).toBe('░'.repeat(24))
  })

  it('prints plain lines without a TTY, skipping per-layer chatter', () => {
    expect(
      describeUpEvent({
        type: 'pull',
        image: 'x:1',
        status: 'Downloading',
        current: 1,
        total: 2,
        done: false,
      }),
    ).toBeNull()
    expect(
      describeUpEvent({ type: 'pull', image: 'x:1', status: 'pulled', total: 2_500_000, done: true }),
    ).toBe('x:1: pulled (2.5 MB)')
    expect(
      describeUpEvent({ type: 'phase', service: 'loki', phase: 'creating', detail: 'grafana/loki:3.3.2' }),
    ).toBe('loki: creating (grafana/loki:3.3.2)')
    expect(formatBytes(999)).toBe('999 B')
    expect(formatUptime(3725)).toBe('1h 2m')
  })
})
