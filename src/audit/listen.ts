import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { unreachableError } from '../core/errors.js'

/** A bound HTTP server of the audit log (tile server, witness): its URL and how to stop it. */
export interface Listening {
  url: string
  host: string
  port: number
  close(): Promise<void>
}

/** Binds `server` to host:port (0: a free port); a port taken or refused is exit 3, naming it. */
export async function listen(server: Server, host: string, port: number): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        ['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL'].includes(error.code ?? '')
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
