/**
 * The one place goblin styles terminal text. Whether colour is on is decided by the terminal facts
 * (src/core/terminal.ts: NO_COLOR, FORCE_COLOR, a TTY, --json); these functions only apply that decision.
 */
export type Tone = 'red' | 'green' | 'yellow' | 'cyan' | 'magenta' | 'gray' | 'bold' | 'dim'

/** SGR open and close codes of each tone (close codes reset only what the tone set, so tones nest). */
const SGR: Record<Tone, [number, number]> = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  magenta: [35, 39],
  gray: [90, 39],
  bold: [1, 22],
  dim: [2, 22],
}

/** `text` in `tone` when colour is on; the text itself otherwise (and for no tone or empty text). */
export function paint(text: string, tone: Tone | undefined, color: boolean): string {
  if (!color || !tone || text === '') return text
  const [open, close] = SGR[tone]
  return `\u001B[${open}m${text}\u001B[${close}m`
}

/** A painter bound to one colour decision: `const s = styler(facts.color); s('x', 'red')`. */
export function styler(color: boolean): (text: string, tone: Tone | undefined) => string {
  return (text, tone) => paint(text, tone, color)
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC
const ANSI_PATTERN = /\u001B\[[0-9;?]*[A-Za-z]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)/g

/** Text without ANSI escape sequences (SGR colours, cursor moves, OSC links). */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, '')
}
