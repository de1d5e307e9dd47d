/**
 * Redaction of credentials in text goblin echoes back (error messages, hints): goblin private-key
 * material, the userinfo of a URL and key-like query parameters. Pure string functions; the one place
 * that knows what a secret looks like, so every echo of a user's value can go through it.
 */

export const REDACTED = '[redacted]'

/** The prefix of a goblin signing key (a private key file's content): `PRIVATE+KEY+name+hash+base64(seed)`. */
const SIGNING_KEY_PREFIX = 'PRIVATE+KEY+'
const SIGNING_KEY_RUN = /PRIVATE\+KEY\+([A-Za-z0-9+/=._-]*)/g
/**
 * Shorter than this, what follows the prefix cannot hold a seed (44 base64 characters): e.g. the format
 * description "PRIVATE+KEY+name+hash+key" in a message stays readable.
 */
const SHORTEST_KEY_RUN = 32
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@]+)@/gi
const SECRET_PARAM =
  /([?&;])([A-Za-z0-9_.-]*(?:key|token|secret|passw(?:or)?d|pwd|signature|sig|auth|credential|session)[A-Za-z0-9_.-]*)=([^&#\s"']*)/gi

/** True when `text` carries goblin signing-key material (a private key), e.g. passed where a public one belongs. */
export function containsSigningKey(text: string): boolean {
  return text.includes(SIGNING_KEY_PREFIX)
}

/** `text` with signing-key seeds, URL userinfo and key-like query parameter values replaced by [redacted]. */
export function redactSecrets(text: string): string {
  if (!text) return text
  let out = text
  if (out.includes(SIGNING_KEY_PREFIX)) out = out.replace(SIGNING_KEY_RUN, redactSigningKey)
  if (out.includes('://')) out = out.replace(USERINFO, `$1${REDACTED}@`)
  if (out.includes('=')) out = out.replace(SECRET_PARAM, `$1$2=${REDACTED}`)
  return out
}

/** Keeps the key's name and hash (public: they name the key in the keyring), never the seed. */
function redactSigningKey(match: string, run: string): string {
  if (run.length < SHORTEST_KEY_RUN) return match
  const [name, hash] = run.split('+')
  const label = name && hash && /^[0-9a-f]{8}$/.test(hash) ? `${name}+${hash}+` : ''
  return `${SIGNING_KEY_PREFIX}${label}${REDACTED}`
}
