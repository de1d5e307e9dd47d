import { execa, type ResultPromise } from 'execa'
import { GOBLIN_BIN, REPO_ROOT } from '../helpers/cli.js'

/** What a long-running goblin command prints first under --json: `{"event":"listening", "url", ...}`. */
export interface Listening {
  event: 'listening'
  url: string
  [field: string]: unknown
}

/**
 * Starts a long-running goblin command (`audit serve`, `audit witness serve`) as its own process with
 * --json and waits for its `listening` line, read as JSON (never parsed out of human text).
 */
export async function startListener(
  args: string[],
  env: Record<string, string>,
): Promise<{ child: ResultPromise; listening: Listening; stop: () => Promise<void> }> {
  const child = execa(process.execPath, [GOBLIN_BIN, ...args, '--json'], {
    cwd: REPO_ROOT,
    env: { NO_COLOR: '1', CI: 'true', ...env },
    reject: false,
  })
  const listening = await new Promise<Listening>((resolve, reject) => {
    let buffer = ''
    child.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString()
      const nl = buffer.indexOf('\n')
      if (nl !== -1) resolve(JSON.parse(buffer.slice(0, nl)) as Listening)
    })
    child.on('exit', (code) => reject(new Error(`goblin ${args.join(' ')} exited ${code} before listening`)))
  })
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM')
    await child
  }
  return { child, listening, stop }
}
