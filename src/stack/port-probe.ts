import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { createServer } from 'node:net'
import { parseListeningSockets } from './proc-net-tcp.js'

/** True when nothing listens on host:port (we could bind it). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)))
  })
}

/** Who listens on a port: a process (pid and command line) when the OS lets us see it. */
export interface PortHolder {
  pid: number
  command: string
}

/**
 * Finds the process listening on a TCP port through /proc (Linux): the socket's inode from /proc/net/tcp*,
 * then the process whose fd table holds that socket. Null when not found or not allowed to look.
 */
export function findPortHolder(port: number): PortHolder | null {
  const inodes = new Set<number>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const socket of parseListeningSockets(readFileSync(table, 'utf8'))) {
        if (socket.port === port) inodes.add(socket.inode)
      }
    } catch {}
  }
  if (inodes.size === 0) return null
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))
  } catch {
    return null
  }
  for (const pid of pids) {
    let fds: string[]
    try {
      fds = readdirSync(`/proc/${pid}/fd`)
    } catch {
      continue
    }
    for (const fd of fds) {
      let link: string
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`)
      } catch {
        continue
      }
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1]
      if (inode && inodes.has(Number(inode)))
        return { pid: Number(pid), command: processCommand(Number(pid)) }
    }
  }
  return null
}

/** A process's command line, space-joined, or `pid N` when it cannot be read. */
export function processCommand(pid: number): string {
  try {
    const words = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
    return words.length > 0 ? words.join(' ') : `pid ${pid}`
  } catch {
    return `pid ${pid}`
  }
}
