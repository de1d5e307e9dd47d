import { execa, type ResultPromise } from 'execa'
import { GOBLIN_BIN, REPO_ROOT } from '../../helpers/cli.js'

export interface ServedCollector {
  child: ResultPromise
  /** The OTLP/HTTP base URL, `http://127.0.0.1:PORT`. */
  url: string
  /** SIGTERM, then waits: the collector writes what it queued and exits 0. */
  stop(): Promise<number | undefined>
}

/** `goblin collector serve --port 0 --json` (the built CLI) under `home`; resolves once it listens. */
export async function serveCollector(home: string, extra: string[] = []): Promise<ServedCollector> {
  const child = execa(
    process.execPath,
    [GOBLIN_BIN, 'collector', 'serve', '--port', '0', '--json', ...extra],
    {
      cwd: REPO_ROOT,
      env: { GOBLIN_HOME: home, NO_COLOR: '1', CI: 'true' },
      reject: false,
    },
  )
  // The first stdout line is the --json document that names the address.
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const line = out.split('\n')[0] as string
      if (out.includes('\n')) resolve((JSON.parse(line) as { url: string }).url)
    })
    child.on('exit', (code) => reject(new Error(`goblin collector serve exited ${code}: ${out}`)))
  })
  return {
    child,
    url,
    async stop() {
      child.kill('SIGTERM')
      return (await child).exitCode
    },
  }
}
