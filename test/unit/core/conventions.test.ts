import { describe, expect, it } from 'vitest'
import { renderError } from '../../../src/cli/render-error.js'
import { isDebugEnabled } from '../../../src/core/debug.js'
import { ERROR_CODES, ExitCode, GoblinError, unreachableError, usageError } from '../../../src/core/errors.js'
import { goblinHome } from '../../../src/core/paths.js'
import { terminalFacts } from '../../../src/core/terminal.js'

describe('GoblinError', () => {
  it('takes its exit code from its code, and serialises a missing hint as null', () => {
    const error = new GoblinError('TRACE_NOT_FOUND', 'no trace 00ff')
    expect(error.exit).toBe(ExitCode.notOk)
    expect(error.toJSON()).toEqual({ code: 'TRACE_NOT_FOUND', message: 'no trace 00ff', hint: null, exit: 1 })
    expect(new GoblinError('BAD_DURATION', 'bad').exit).toBe(ExitCode.usage)
    expect(new GoblinError('DOCKER_UNREACHABLE', 'down').exit).toBe(ExitCode.unreachable)
  })

  it('documents every code with an exit of 1, 2 or 3', () => {
    const exits = new Set(Object.values(ERROR_CODES))
    expect([...exits].sort()).toEqual([1, 2, 3])
    expect(Object.keys(ERROR_CODES).every((code) => /^[A-Z][A-Z0-9_]+$/.test(code))).toBe(true)
  })

  it('carries exit 3 for unreachable dependencies and keeps the hint', () => {
    const error = unreachableError('COLLECTOR_UNREACHABLE', 'collector down', 'run goblin stack up')
    expect(error.toJSON()).toEqual({
      code: 'COLLECTOR_UNREACHABLE',
      message: 'collector down',
      hint: 'run goblin stack up',
      exit: 3,
    })
  })

  it('renders message and hint on separate lines, with colour only when asked', () => {
    const error = usageError('USAGE', 'what went wrong', 'what to do')
    expect(renderError(error, false)).toBe('Error: what went wrong\nHint: what to do\n')
    expect(renderError(error, true)).toContain('\u001B[31mError:')
  })
})

describe('terminal facts', () => {
  it('turns colour off under NO_COLOR even on a TTY', () => {
    expect(terminalFacts({ isTTY: true }, { NO_COLOR: '' }, false).color).toBe(false)
    expect(terminalFacts({ isTTY: true }, {}, false).color).toBe(true)
  })

  it('allows progress only on a TTY, outside CI, without --json', () => {
    expect(terminalFacts({ isTTY: true }, {}, false).progress).toBe(true)
    expect(terminalFacts({ isTTY: true }, { CI: 'true' }, false).progress).toBe(false)
    expect(terminalFacts({ isTTY: false }, {}, false).progress).toBe(false)
    expect(terminalFacts({ isTTY: true }, {}, true).progress).toBe(false)
  })
})

describe('DEBUG', () => {
  it.each([
    ['goblin*', true],
    ['goblin', true],
    ['goblin:*', true],
    ['*', true],
    ['express,goblin*', true],
    ['express', false],
    ['-goblin*', false],
    [undefined, false],
  ])('DEBUG=%s enables stack traces: %s', (value, expected) => {
    expect(isDebugEnabled({ DEBUG: value })).toBe(expected)
  })
})

describe('GOBLIN_HOME', () => {
  it('wins over the platform default', () => {
    expect(goblinHome({ GOBLIN_HOME: '/tmp/g' })).toBe('/tmp/g')
    expect(goblinHome({})).toMatch(/goblin$/)
  })
})
