import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import { type Listening, listen } from './listen.js'
import { LATEST_CHECKPOINT_FILE } from './tile-store.js'
import { parseTilePath } from './tiles.js'

/**
 * `goblin audit serve`: a ledger's C2SP tlog-tiles over HTTP, read-only: GET `/checkpoint` (mutable, not
 * cached beyond a few seconds) and `/tile/...` (immutable, cached for a year), exactly the paths the spec
 * defines and nothing else (no log.jsonl, no keys, no path outside the layout). Any static server or
 * bucket serving the same directory works the same.
 */

/** Starts serving `ledgerDir` on host:port (port 0 picks a free one). */
export async function serveTiles(ledgerDir: string, host: string, port: number): Promise<Listening> {
  const server: Server = createServer((req, res) => {
    const send = (status: number, text: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers })
      res.end(req.method === 'HEAD' ? undefined : text)
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'read-only\n', { allow: 'GET, HEAD' })
    // Tile paths are plain ASCII: the raw path is compared, never a decoded one.
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/+/, '')
    const isCheckpoint = path === LATEST_CHECKPOINT_FILE
    if (!isCheckpoint && parseTilePath(path) === null) return send(404, 'not a tlog-tiles path\n')
    const file = join(ledgerDir, path)
    if (!existsSync(file)) return send(404, 'not found\n')
    res.writeHead(200, {
      'content-type': isCheckpoint ? 'text/plain; charset=utf-8' : 'application/octet-stream',
      'content-length': String(statSync(file).size),
      'cache-control': isCheckpoint ? 'no-cache, max-age=5' : 'public, max-age=31536000, immutable',
    })
    if (req.method === 'HEAD') return res.end()
    createReadStream(file).pipe(res)
  })
  return listen(server, host, port)
}
