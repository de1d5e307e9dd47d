import type { GoblinError } from '../core/errors.js'

/** The human form of an error: `Error: message`, then `Hint: …` on its own line. */
export function renderError(error: GoblinError, color: boolean): string {
  const red = (s: string) => (color ? `\u001B[31m${s}\u001B[39m` : s)
  const dim = (s: string) => (color ? `\u001B[2m${s}\u001B[22m` : s)
  const lines = [`${red('Error:')} ${error.message}`]
  if (error.hint) lines.push(`${dim('Hint:')} ${error.hint}`)
  return `${lines.join('\n')}\n`
}
