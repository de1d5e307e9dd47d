import { describe, expect, it } from 'vitest'
import { formatDuration, MAX_DURATION_MS, parseDuration } from '../../../src/core/duration.js'
import { setLongTimeout, sleepLong } from '../../../src/core/long-timeout.js'
import { parseTimePoint } from '../../../src/core/time-point.js'

describe('parseDuration: one grammar for every flag and parameter', () => {
  it('reads Go-style parts, days and weeks, in any combination', () => {
    expect(parseDuration('250ms', 'x')).toBe(250)
    expect(parseDuration('1.5s', 'x')).toBe(1500)
    expect(parseDuration('1h30m', 'x')).toBe(5_400_000)
    expect(parseDuration('2w', 'x')).toBe(14 * 86_400_000)
    expect(parseDuration('1w2d3h', 'x')).toBe((9 * 24 + 3) * 3_600_000)
    expect(parseDuration('500us', 'x')).toBe(0.5)
    expect(parseDuration(' 30s ', 'x')).toBe(30_000)
  })

  it('refuses what is not a duration, naming the flag and the value (exit 2)', () => {
    for (const bad of ['5', 'soon', '-1h', '1h 30m', '1.s', 'h', '', '1y', '1H']) {
      expect(() => parseDuration(bad, '--since')).toThrowError(
        expect.objectContaining({
          code: 'BAD_DURATION',
          exit: 2,
          message: `--since ${JSON.stringify(bad)}: not a duration`,
        }),
      )
    }
  })

  it('refuses durations past the limits, writing the limits in the same grammar', () => {
    // 99999999999d made `cost report --since` an INTERNAL error (an invalid Date).
    expect(() => parseDuration('99999999999d', '--since')).toThrowError(
      expect.objectContaining({
        code: 'DURATION_OUT_OF_RANGE',
        exit: 2,
        message: '--since "99999999999d": longer than 36500d',
      }),
    )
    expect(() => parseDuration(`${'9'.repeat(400)}d`, '--since')).toThrowError(/longer than 36500d/)
    expect(() => parseDuration('500ms', '--every', { minMs: 1000 })).toThrowError(
      /--every "500ms": shorter than 1s/,
    )
    expect(parseDuration('36500d', 'x')).toBe(MAX_DURATION_MS)
  })

  it('formats milliseconds in the grammar it reads', () => {
    for (const ms of [0, 1, 1500, 90_061_001, MAX_DURATION_MS]) {
      const text = formatDuration(ms)
      expect(parseDuration(text, 'x')).toBe(ms)
    }
    expect(formatDuration(90_061_001)).toBe('1d1h1m1s1ms')
  })
})

describe('parseTimePoint: --since and --until in every command', () => {
  const now = new Date('2026-06-01T12:00:00.000Z')
  const iso = (text: string) => parseTimePoint(text, '--since', now).toISOString()

  it('reads durations back from now, dates, RFC 3339 times with a zone, and Unix seconds', () => {
    expect(iso('90s')).toBe('2026-06-01T11:58:30.000Z')
    expect(iso('1h30m')).toBe('2026-06-01T10:30:00.000Z')
    expect(iso('2w')).toBe('2026-05-18T12:00:00.000Z')
    expect(iso('2026-01-02')).toBe('2026-01-02T00:00:00.000Z')
    expect(iso('2026-01-02T03:04:05Z')).toBe('2026-01-02T03:04:05.000Z')
    expect(iso('2026-01-02t03:04:05z')).toBe('2026-01-02T03:04:05.000Z')
    expect(iso('2026-01-02T03:04:05+02:00')).toBe('2026-01-02T01:04:05.000Z')
    expect(iso('1767323045')).toBe('2026-01-02T03:04:05.000Z')
  })

  it('refuses anything else with exit 2 naming the flag', () => {
    for (const bad of [
      'yesterday',
      '10',
      '5 minutes',
      '-1h',
      '2026-13-01',
      '2026-11-01T10:00:00',
      '2026-13-45T99:99:99Z',
    ]) {
      expect(() => parseTimePoint(bad, '--since', now)).toThrowError(
        expect.objectContaining({
          exit: 2,
          message: expect.stringContaining(`--since ${JSON.stringify(bad)}`),
        }),
      )
    }
    expect(() => parseTimePoint('99999999999d', '--since', now)).toThrowError(
      expect.objectContaining({ code: 'DURATION_OUT_OF_RANGE', exit: 2 }),
    )
  })
})

describe('long timeouts', () => {
  it('a delay past 2^31-1 ms does not fire at once (Node would fire it after 1 ms)', async () => {
    let fired = false
    const timeout = setLongTimeout(() => {
      fired = true
    }, 30 * 86_400_000)
    // Node fires an overflowing setTimeout on the next 1 ms tick: give that tick every chance to come.
    await new Promise((resolve) => setTimeout(resolve, 50))
    timeout.cancel()
    expect(fired).toBe(false)
  })

  it('sleepLong ends when its signal aborts, and after a short delay on its own', async () => {
    const stop = new AbortController()
    const sleeping = sleepLong(30 * 86_400_000, stop.signal)
    stop.abort()
    await expect(sleeping).resolves.toBeUndefined()
    await expect(sleepLong(5)).resolves.toBeUndefined()
  })
})
