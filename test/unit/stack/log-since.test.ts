import { describe, expect, it } from 'vitest'
import { listeningPort } from '../../../src/stack/embedded-runtime.js'
import { linesSince, lineTime } from '../../../src/stack/log-since.js'

describe('linesSince', () => {
  const log = [
    'no time yet',
    '2026-06-01T11:00:00.000Z goblin: starting',
    'listening on http://127.0.0.1:4318',
    '{"time":"2026-06-01T11:59:00Z","msg":"json line"}',
    '  at a stack trace line',
    '[2026-06-01 11:59:30] bracketed',
  ]

  it('reads a leading time, a bracketed one, or a JSON time field', () => {
    expect(lineTime(log[1] ?? '')?.toISOString()).toBe('2026-06-01T11:00:00.000Z')
    expect(lineTime(log[3] ?? '')?.toISOString()).toBe('2026-06-01T11:59:00.000Z')
    expect(lineTime(log[0] ?? '')).toBeNull()
  })

  it('keeps lines at or after since; untimed lines belong to the line before them', () => {
    expect(linesSince(log, new Date('2026-06-01T11:30:00Z'))).toEqual(log.slice(3))
    expect(linesSince(log, new Date('2026-06-01T10:00:00Z'))).toEqual(log.slice(1))
    expect(linesSince(log, new Date('2026-06-01T13:00:00Z'))).toEqual([])
  })
})

describe('listeningPort', () => {
  it('reads the port goblin collector serve printed', () => {
    expect(listeningPort('x\nlistening on http://127.0.0.1:43121\n')).toBe(43121)
    expect(listeningPort('listening on http://[::1]:8080')).toBe(8080)
    expect(listeningPort('starting')).toBeNull()
  })
})
