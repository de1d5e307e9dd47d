import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { unreachableError } from '../core/errors.js'
import { LATEST_CHECKPOINT_FILE } from './tile-store.js'
import { parseTilePath } from './tiles.js'

/**
 * `goblin audit serve`: a ledger's C2SP tlog-tiles over HTTP, read-only: GET `/checkpoint` (mutable, not
 * cached beyond a few seconds) and `/tile/...` (immutable, cached for a year), exactly the paths the spec
 * defines and nothing else (no log.jsonl, no keys, no path outside the layout). Any static server or
 * bucket serving the same directory works the same.
 */

export interface TileServer {
  url: string
  host: string
  port: number
  close(): Promise<void>
}

/** Starts serving `ledgerDir` on host:port (port 0 picks a free one). */
export async function serveTiles(ledgerDir: string, host: string, port: number): Promise<TileServer> {
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
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL'
          ? unreachableError(
              'AUDIT_SERVE_LISTEN',
              `cannot listen on ${host}:${port} (${error.code})`,
              'Pick another --port, or --port 0 for a free one.',
              error,
            )
          : error,
      ),
    )
    server.listen(port, host, resolve)
  })
  const address = server.address() as AddressInfo
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${shown}:${address.port}/`,
    host: address.address,
    port: address.port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
