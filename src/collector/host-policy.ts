import { isIPv4, isIPv6 } from 'node:net'

/**
 * The Host header policy against DNS rebinding: a page on attacker.example whose name is re-pointed at
 * 127.0.0.1 makes the browser send `Host: attacker.example` to the collector, and could read the query
 * API (traces, prompts, costs) and post spans. A collector bound to a loopback address answers only
 * requests naming a loopback host (localhost, *.localhost, 127.0.0.0/8, [::1]); one bound on purpose to
 * another address (0.0.0.0, a LAN address) serves whatever name reaches it, as its operator chose.
 * A request without a Host header (HTTP/1.0) did not come from a browser and is served.
 */

/** True when the server bound to `boundAddress` should answer a request carrying `host`. */
export function hostAllowed(host: string | undefined, boundAddress: string): boolean {
  if (!isLoopbackAddress(boundAddress)) return true
  if (host === undefined || host === '') return true
  return isLoopbackName(hostnameOf(host))
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '')
  if (a.startsWith('::ffff:')) return isLoopbackAddress(a.slice(7))
  if (isIPv4(a)) return a.startsWith('127.')
  if (isIPv6(a)) return a === '::1' || a === '0:0:0:0:0:0:0:1'
  return a === 'localhost'
}

function isLoopbackName(name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '')
  return n === 'localhost' || n.endsWith('.localhost') || isLoopbackAddress(n)
}

/** The host name of a Host header value, without its port (IPv6 literals keep no brackets). */
function hostnameOf(host: string): string {
  const h = host.trim()
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') >= 0 ? h.indexOf(']') : undefined)
  const colon = h.lastIndexOf(':')
  return colon >= 0 ? h.slice(0, colon) : h
}
