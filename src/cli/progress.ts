import type { TerminalFacts } from '../core/terminal.js'

/** A progress line for one long operation. */
export interface Progress {
  /** The line's text now (e.g. `verified 12,000 of about 50,000 entries`); redrawn at most every 100 ms. */
  update(text: string): void
  /** Clears the line: the command's result says how it ended. */
  done(): void
}

const REDRAW_MS = 100

/**
 * Progress for an operation that can take more than about a second, on stderr: one line redrawn in place
 * on a terminal; on a pipe, in CI or under --json (`facts.progress` false) only the first text, once, so a
 * log still shows what was under way. Never on stdout, which holds the result.
 */
export function startProgress(
  facts: Pick<TerminalFacts, 'progress'>,
  stream: Pick<NodeJS.WriteStream, 'write'> = process.stderr,
): Progress {
  let last = 0
  let shown = false
  let pending: string | null = null
  return {
    update(text) {
      if (!facts.progress) {
        if (!shown) stream.write(`${text}\n`)
        shown = true
        return
      }
      const now = Date.now()
      pending = text
      if (now - last < REDRAW_MS) return
      last = now
      // \r to the line's start, then erase to its end (ESC [ K): a shorter text leaves nothing behind.
      stream.write(`\r${pending}\u001B[K`)
      pending = null
      shown = true
    },
    done() {
      if (facts.progress && shown) stream.write('\r\u001B[K')
    },
  }
}
