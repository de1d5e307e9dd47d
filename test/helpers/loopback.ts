import { request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Starts `server` on an ephemeral port of 127.0.0.1 and returns its base URL (`http://127.0.0.1:PORT`). */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Closes `server`, dropping kept-alive connections so the close does not wait on clients. */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
}

/**
 * A raw request with a chosen Host header (or none), as a browser under DNS rebinding sends it (fetch
 * would not let us set one).
 */
export function requestWithHost(
  base: string,
  path: string,
  host: string | undefined,
  method = 'GET',
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname,
        port,
        path,
        method,
        setHost: host === undefined,
        headers: host === undefined ? {} : { host },
      },
      (res) => {
        let body = ''
        res.on('data', (c: Buffer) => {
          body += c.toString()
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}
