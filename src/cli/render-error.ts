import type { GoblinError } from '../core/errors.js'
import { paint } from '../ui/style.js'

/** The human form of an error: `Error: message` (every line of it), then `Hint: …` on its own line. */
export function renderError(error: GoblinError, color: boolean): string {
  const lines = [`${paint('Error:', 'red', color)} ${error.message}`]
  if (error.hint) lines.push(`${paint('Hint:', 'dim', color)} ${error.hint}`)
  return `${lines.join('\n')}\n`
}
