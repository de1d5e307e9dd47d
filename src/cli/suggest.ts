/** Edit distance (insertions, deletions, substitutions, and swaps of neighbours) between two strings. */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[]
    const above = rows[i - 1] as number[]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + cost,
      )
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1)
      row[j] = best
    }
  }
  return (rows[a.length] as number[])[b.length] as number
}

/** A command the user probably meant, and the words of theirs it replaces. */
export interface Suggestion {
  /** The command, words separated by spaces (`trace list`). */
  command: string
  /** What the user typed in its place (`trac list`). */
  typed: string
}

/**
 * The known command closest to what was typed: each command is compared with as many of the typed words as it
 * has, and the closest within a third of its length (at least 2 edits) wins; null when nothing is close.
 */
export function suggestCommand(typedWords: string[], commands: string[]): Suggestion | null {
  let best: (Suggestion & { distance: number }) | null = null
  for (const command of commands) {
    const words = command.split(' ')
    if (words.length > typedWords.length) continue
    const typed = typedWords.slice(0, words.length).join(' ')
    const distance = editDistance(typed, command)
    const allowed = Math.max(2, Math.floor(command.length / 3))
    if (distance > allowed) continue
    // Prefer the closer match, then the one that explains more of what was typed.
    if (!best || distance < best.distance || (distance === best.distance && typed.length > best.typed.length))
      best = { command, typed, distance }
  }
  return best && { command: best.command, typed: best.typed }
}
