import { usageError } from './errors.js'
import { redactSecrets } from './redact.js'

/**
 * Checks a user-given http(s) URL (a flag or argument named by `where`) before anything connects to it,
 * so a malformed URL is bad input (exit 2), not an unreachable dependency (exit 3). A URL carrying
 * `user:password@` is refused: fetch will not send credentials that way, and the URL would travel into
 * messages; errors echo the URL only redacted.
 */
export function parseHttpUrl(text: string, where: string): URL {
  const shown = redactSecrets(text)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw usageError(
      'BAD_URL',
      `${where}: "${shown}" is not a URL`,
      'Pass an http(s) URL such as http://127.0.0.1:9090.',
    )
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw usageError(
      'BAD_URL',
      `${where}: "${shown}" is not an http(s) URL`,
      'Pass an http(s) URL such as http://127.0.0.1:9090.',
    )
  if (url.username || url.password)
    throw usageError(
      'URL_WITH_CREDENTIALS',
      `${where}: "${shown}" carries a user name or password (user:password@), which goblin does not send`,
      'Drop the credentials from the URL (reach the service through a local authenticating proxy, or a URL that needs none).',
    )
  return url
}

/** A listening address as a URL host: a wildcard bind is reached on loopback, an IPv6 address in brackets. */
export function hostForUrl(host: string): string {
  const h = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host
  return h.includes(':') && !h.startsWith('[') ? `[${h}]` : h
}
