/** A listening TCP socket as Linux's /proc/net/tcp and /proc/net/tcp6 describe it. */
export interface ListeningSocket {
  address: string
  port: number
  inode: number
}

const LISTEN = '0A'

/**
 * Parses the text of /proc/net/tcp or /proc/net/tcp6 and keeps the sockets in LISTEN state.
 * Each line is `sl local_address rem_address st ... uid timeout inode ...`, addresses as hex `IP:PORT`.
 */
export function parseListeningSockets(text: string): ListeningSocket[] {
  const sockets: ListeningSocket[] = []
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/)
    const local = fields[1]
    if (!local || fields[3] !== LISTEN) continue
    const [hexAddress, hexPort] = local.split(':')
    const inode = Number(fields[9])
    if (!hexAddress || !hexPort || !Number.isInteger(inode)) continue
    sockets.push({ address: decodeAddress(hexAddress), port: Number.parseInt(hexPort, 16), inode })
  }
  return sockets
}

/** The kernel prints each 32-bit word of the address in host (little-endian) byte order. */
function decodeAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? []
  const bytes = words.flatMap((word) =>
    (word.match(/../g) ?? []).reverse().map((b) => Number.parseInt(b, 16)),
  )
  if (bytes.length === 4) return bytes.join('.')
  const groups: string[] = []
  for (let i = 0; i < bytes.length; i += 2)
    groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16))
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::')
}
