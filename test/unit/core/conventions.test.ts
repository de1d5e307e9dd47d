import { describe, expect, it } from 'vitest'
import { renderError } from '../../../src/cli/render-error.js'
import { isDebugEnabled } from '../../../src/core/debug.js'
import { ExitCode, GoblinError, unreachableError, usageError } from '../../../src/core/errors.js'
import { goblinHome } from '../../../src/core/paths.js'
import { terminalFacts } from '../../../src/core/terminal.js'

describe('GoblinError', () => {
  it('defaults to the usage exit code and serialises without a hint when there is none', () => {
    const error = new GoblinError('X', 'bad')
    expect(error.exit).toBe(ExitCode.usage)
    expect(error.toJSON()).toEqual({ code: 'X', message: 'bad', exit: 2 })
  })

  it('carries exit 3 for unreachable dependencies and keeps the hint', () => {
    const error = unreachableError('DOWN', 'collector down', 'run goblin stack up')
    expect(error.toJSON()).toEqual({
      code: 'DOWN',
      message: 'collector down',
      hint: 'run goblin stack up',
      exit: 3,
    })
  })

  it('renders message and hint on separate lines, with colour only when asked', () => {
    const error = usageError('X', 'what went wrong', 'what to do')
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
