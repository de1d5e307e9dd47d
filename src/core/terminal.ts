/** Facts about the terminal that decide how output looks. Pure: callers pass the stream and env. */
export interface TerminalFacts {
  color: boolean
  /** Spinners and live progress are allowed (stderr is a TTY, not CI, not --json). */
  progress: boolean
  columns: number
}

/** Colour is off under NO_COLOR (any value), when the stream is not a TTY, or when FORCE_COLOR=0. */
export function terminalFacts(
  stream: { isTTY?: boolean; columns?: number },
  env: NodeJS.ProcessEnv,
  json: boolean,
): TerminalFacts {
  const tty = Boolean(stream.isTTY)
  const noColor = env.NO_COLOR !== undefined || env.FORCE_COLOR === '0'
  const forceColor = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0'
  return {
    color: !noColor && (tty || forceColor) && !json,
    progress: tty && !env.CI && !json,
    // Piped output is not cut to a guessed width: whoever reads it gets every character.
    columns: tty && stream.columns && stream.columns > 20 ? stream.columns : 1000,
  }
}
