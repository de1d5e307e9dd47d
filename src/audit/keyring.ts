import { existsSync, readFileSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { z } from 'zod'
import { ExitCode, GoblinError, usageError } from '../core/errors.js'
import { readTextFile } from '../core/fs-errors.js'
import { lazySchema } from '../core/lazy-zod.js'
import { checkSecretFile, ensureSecretDir } from '../core/private-state.js'
import { safeParseShipped } from '../core/shipped-schema.js'
import { writeFileDurably } from './durable-file.js'
import { generateSeed } from './ed25519.js'
import { acquireFileLock } from './file-lock.js'
import type { SigningSession } from './ledger.js'
import {
  formatSignerKey,
  keyLabel,
  type NoteSigner,
  type NoteVerifier,
  parseSignerKey,
  parseVerifierKey,
} from './signed-note.js'

/**
 * The keyring: `keyring.json` under GOBLIN_HOME/keys lists every audit key goblin has made, public parts
 * only, each with its validity window. Private keys are `<name>.key` files (mode 0600) beside it; a
 * rotated key's file is kept as `<name>+<hash>.retired.key` and never signs again.
 */

export const KEYRING_FILE = 'keyring.json'
/** Names goblin gives its own keys: they become file names, so no '/' or spaces. */
// A key may be named as its log's origin (`example.com/audit`), as C2SP tlog-policy wants a log's key named.
const LOCAL_KEY_NAME = /^(?=.{1,128}$)[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9._-]+)*$/
export const DEFAULT_KEY_NAME = 'goblin'

/**
 * The keyring file's schema, built (and zod loaded) only when a keyring is not valid by the JSON Schema the
 * build derives from it (src/core/shipped-schema.ts), to word the error.
 */
export const keyringSchema = lazySchema((z) => {
  const keyRecordSchema = z.strictObject({
    name: z.string().min(1),
    kid: z.string().min(1),
    vkey: z.string().min(1),
    valid_from: z.iso.datetime(),
    valid_until: z.iso.datetime().nullable(),
    revoked_at: z.iso.datetime().nullable(),
  })
  return z.strictObject({ version: z.literal(1), keys: z.array(keyRecordSchema) })
})

export type Keyring = z.infer<ReturnType<typeof keyringSchema>>
export type KeyRecord = Keyring['keys'][number]
export type KeyStatus = 'active' | 'retired' | 'revoked'

/** A key's state now: revoked wins over retired (rotated), which wins over active. */
export function keyStatus(record: KeyRecord, now: Date = new Date()): KeyStatus {
  if (record.revoked_at !== null && Date.parse(record.revoked_at) <= now.getTime()) return 'revoked'
  if (record.valid_until !== null && Date.parse(record.valid_until) <= now.getTime()) return 'retired'
  return 'active'
}

/** Why a signature made at `ts` by this key must not be trusted, or null when `ts` is inside its window. */
export function keyWindowProblem(
  record: KeyRecord,
  ts: string,
): { kind: 'revoked-key' | 'key-outside-window'; message: string } | null {
  const t = Date.parse(ts)
  if (record.revoked_at !== null && t >= Date.parse(record.revoked_at))
    return {
      kind: 'revoked-key',
      message: `signed at ${ts} by ${record.kid}, revoked at ${record.revoked_at}`,
    }
  if (t < Date.parse(record.valid_from))
    return {
      kind: 'key-outside-window',
      message: `signed at ${ts} by ${record.kid}, valid only from ${record.valid_from}`,
    }
  if (record.valid_until !== null && t >= Date.parse(record.valid_until))
    return {
      kind: 'key-outside-window',
      message: `signed at ${ts} by ${record.kid}, retired at ${record.valid_until}`,
    }
  return null
}

/** Parses keyring JSON (keyring.json or `goblin audit keys export --json`); `where` names it in errors. */
export function parseKeyring(text: string, where: string): Keyring {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw usageError(
      'AUDIT_BAD_KEYRING',
      `${where}: not valid JSON`,
      'Restore the keyring file, or export it again with goblin audit keys export --json.',
    )
  }
  const parsed = safeParseShipped('keyring', keyringSchema, value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw usageError(
      'AUDIT_BAD_KEYRING',
      `${where}: ${issue?.path.join('.') || '(top)'}: ${issue?.message}`,
      'Restore the keyring file, or export it again with goblin audit keys export --json.',
    )
  }
  for (const record of parsed.data.keys) {
    const verifier = parseVerifierKey(record.vkey)
    if (keyLabel(verifier.name, verifier.keyId) !== record.kid || verifier.name !== record.name)
      throw usageError(
        'AUDIT_BAD_KEYRING',
        `${where}: key ${record.kid} does not match its vkey`,
        'Restore the keyring file.',
      )
  }
  return parsed.data
}

/** Loads the keyring under `keysDir`; an absent file is an empty keyring. */
export function loadKeyring(keysDir: string): Keyring {
  const path = join(keysDir, KEYRING_FILE)
  if (!existsSync(path)) return { version: 1, keys: [] }
  return parseKeyring(readTextFile(path), path)
}

/** The verifier for each keyring record, keyed by kid. */
export function keyringVerifiers(
  keyring: Keyring,
): Map<string, { record: KeyRecord | null; verifier: NoteVerifier }> {
  return new Map(
    keyring.keys.map((record) => [record.kid, { record, verifier: parseVerifierKey(record.vkey) }]),
  )
}

export interface GeneratedKey {
  record: KeyRecord
  /** The private key file. */
  path: string
}

/** Makes a new Ed25519 key named `name`. Refuses to replace an existing `<name>.key` unless `force`. */
export async function generateKey(
  keysDir: string,
  name: string,
  options: { force?: boolean; now?: Date } = {},
): Promise<GeneratedKey> {
  assertLocalKeyName(name)
  return withKeyringLock(keysDir, () => {
    const path = privateKeyPath(keysDir, name)
    if (existsSync(path) && !options.force)
      throw usageError(
        'AUDIT_KEY_EXISTS',
        `a private key named "${name}" already exists: ${path}`,
        'Use goblin audit keys rotate to replace it (old entries keep verifying), or --force to overwrite.',
      )
    const keyring = loadKeyring(keysDir)
    const now = options.now ?? new Date()
    // A forced overwrite retires the old key: what it signed still verifies.
    if (existsSync(path)) retireCurrent(keysDir, keyring, name, now)
    return addKey(keysDir, keyring, name, now)
  })
}

/** Retires the current key named `name` (it verifies what it signed until now) and makes its successor. */
export async function rotateKey(
  keysDir: string,
  name: string,
  at?: Date,
): Promise<{ retired: KeyRecord; current: GeneratedKey }> {
  assertLocalKeyName(name)
  return withKeyringLock(keysDir, () => {
    // The clock is read under the lock: a signer that held it has stamped every entry before this instant.
    const now = at ?? new Date()
    const keyring = loadKeyring(keysDir)
    const retired = retireCurrent(keysDir, keyring, name, now)
    if (!retired) throw unknownKey(name, keyring)
    return { retired, current: addKey(keysDir, keyring, name, now) }
  })
}

/** Revokes a key (by `name` for its current key, or `name+hash`) from `at` (default now). */
export async function revokeKey(keysDir: string, nameOrKid: string, revokeAt?: Date): Promise<KeyRecord> {
  return withKeyringLock(keysDir, () => {
    const at = revokeAt ?? new Date()
    const keyring = loadKeyring(keysDir)
    const record = findKey(keyring, nameOrKid)
    if (!record) throw unknownKey(nameOrKid, keyring)
    if (record.revoked_at === null || Date.parse(record.revoked_at) > at.getTime())
      record.revoked_at = at.toISOString()
    saveKeyring(keysDir, keyring)
    return record
  })
}

/**
 * The key that signs: `name` if given, else the only active key. Refuses retired and revoked keys and a
 * private key file that does not match the keyring.
 */
export function loadSigner(keysDir: string, name?: string): { signer: NoteSigner; record: KeyRecord } {
  const keyring = loadKeyring(keysDir)
  const active = keyring.keys.filter((k) => keyStatus(k) === 'active')
  let record: KeyRecord | undefined
  if (name) {
    record = findKey(keyring, name)
    if (!record) throw unknownKey(name, keyring)
    const status = keyStatus(record)
    if (status !== 'active')
      throw new GoblinError('AUDIT_KEY_NOT_ACTIVE', `key ${record.kid} is ${status} and cannot sign`, {
        hint: `Run goblin audit keys rotate ${record.name} (or keygen) for a new key.`,
        exit: ExitCode.usage,
      })
  } else if (active.length === 1) {
    record = active[0]
  } else if (active.length === 0) {
    throw usageError('AUDIT_NO_KEY', `no active signing key in ${keysDir}`, 'Run goblin audit keygen first.')
  } else {
    throw usageError(
      'AUDIT_KEY_AMBIGUOUS',
      `several active keys (${active.map((k) => k.name).join(', ')}): which one signs?`,
      'Pass --key NAME, or set audit.key in goblin.config.json.',
    )
  }
  const current = record as KeyRecord
  const path = privateKeyPath(keysDir, current.name)
  if (!existsSync(path))
    throw usageError(
      'AUDIT_NO_PRIVATE_KEY',
      `the private key of ${current.kid} is missing: ${path}`,
      'Restore the key file, or rotate to a new key.',
    )
  checkSecretFile(path, `the private key of ${current.kid}`)
  const signer = parseSignerKey(readFileSync(path, 'utf8'))
  if (signer.vkey !== current.vkey)
    throw usageError(
      'AUDIT_KEY_MISMATCH',
      `${path} does not hold the key ${current.kid} the keyring names`,
      'Restore the matching key file, or rotate to a new key.',
    )
  return { signer, record: current }
}

/**
 * A signing session over the keyring under `keysDir`: each append takes the keyring lock (the one
 * rotation and revocation take), loads the key `name` names (or the only active key) as it is now, and
 * lets the ledger stamp and write its entries before the lock is released. A key's `ts` and its window
 * are so decided together: a rotation lands before the batch (the successor signs it) or after it (its
 * `valid_until` is later than every `ts` in it), never in the middle. A long-running signer (the
 * collector) picks up a rotation at its next append.
 */
export function keyringSigningSession(keysDir: string, name?: string): SigningSession {
  return (seal) =>
    withKeyringLock(keysDir, async () => {
      const result = seal(loadSigner(keysDir, name).signer)
      // A rotation right after us reads its own clock; stamps are in milliseconds and a key retired at
      // the very millisecond of our last entry would not cover it (windows end exclusive): let it tick.
      const last = Date.now()
      while (Date.now() <= last) await sleep(1)
      return result
    })
}

/** The private key file of the current key named `name`. */
export function privateKeyPath(keysDir: string, name: string): string {
  return join(keysDir, `${fileStem(name)}.key`)
}

/** A key name as one file name: an origin's '/' becomes '~', which no key name contains. */
function fileStem(name: string): string {
  return name.replaceAll('/', '~')
}

/** Finds the current key named `nameOrKid`, or the key with that exact `name+hash`. */
export function findKey(keyring: Keyring, nameOrKid: string): KeyRecord | undefined {
  if (nameOrKid.includes('+')) return keyring.keys.find((k) => k.kid === nameOrKid)
  return keyring.keys.filter((k) => k.name === nameOrKid).at(-1)
}

function addKey(keysDir: string, keyring: Keyring, name: string, now: Date): GeneratedKey {
  const skey = formatSignerKey(name, generateSeed())
  const signer = parseSignerKey(skey)
  const path = privateKeyPath(keysDir, name)
  writeFileDurably(path, `${skey}\n`)
  const record: KeyRecord = {
    name,
    kid: keyLabel(name, signer.keyId),
    vkey: signer.vkey,
    valid_from: now.toISOString(),
    valid_until: null,
    revoked_at: null,
  }
  keyring.keys.push(record)
  saveKeyring(keysDir, keyring)
  return { record, path }
}

function retireCurrent(keysDir: string, keyring: Keyring, name: string, now: Date): KeyRecord | null {
  const record = findKey(keyring, name)
  const path = privateKeyPath(keysDir, name)
  if (record && record.valid_until === null) record.valid_until = now.toISOString()
  if (existsSync(path))
    renameSync(path, join(keysDir, `${fileStem(record?.kid ?? `${name}+unknown`)}.retired.key`))
  return record ?? null
}

function saveKeyring(keysDir: string, keyring: Keyring): void {
  writeFileDurably(join(keysDir, KEYRING_FILE), `${JSON.stringify(keyring, null, 2)}\n`)
}

async function withKeyringLock<T>(keysDir: string, fn: () => T | Promise<T>): Promise<T> {
  ensureSecretDir(keysDir, 'the keys directory')
  const lock = await acquireFileLock(join(keysDir, '.lock'))
  try {
    return await fn()
  } finally {
    lock.release()
  }
}

function assertLocalKeyName(name: string): void {
  if (!LOCAL_KEY_NAME.test(name))
    throw usageError(
      'AUDIT_BAD_KEY_NAME',
      `invalid key name "${name}"`,
      'Use letters, digits, ".", "_" and "-", optionally an origin with "/" (up to 128), e.g. ci, release-2026 or example.com/audit.',
    )
}

function unknownKey(name: string, keyring: Keyring): GoblinError {
  const known = keyring.keys.map((k) => k.kid).join(', ') || 'none'
  return usageError(
    'AUDIT_UNKNOWN_KEY',
    `no key named ${name} in the keyring (known: ${known})`,
    'List keys with goblin audit keys list, or make one with goblin audit keygen.',
  )
}
