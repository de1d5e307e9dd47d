import { dirname, resolve } from 'node:path'
import { loadProjectConfig } from '../core/config.js'
import { homePaths } from '../core/paths.js'
import { DEFAULT_KEY_NAME } from './keyring.js'

/** Where the audit commands read and write, from flags, then goblin.config.json's `audit` section, then defaults. */
export interface AuditLocations {
  ledgerDir: string
  keysDir: string
  /** The signing key name asked for (flag or config), or undefined for "the only active key". */
  keyName: string | undefined
  /** The checkpoint origin asked for, or undefined for the default `goblin/<key name>`. */
  origin: string | undefined
}

/** Resolves the audit locations; `audit.ledger` in the config is relative to the config file. */
export function resolveAuditLocations(
  flags: { ledger?: string; key?: string; origin?: string },
  cwd = process.cwd(),
): AuditLocations {
  const { path, config } = loadProjectConfig(cwd)
  const configured = config.audit.ledger && path ? resolve(dirname(path), config.audit.ledger) : undefined
  return {
    ledgerDir: resolve(cwd, flags.ledger ?? configured ?? homePaths.audit()),
    keysDir: homePaths.keys(),
    keyName: flags.key ?? config.audit.key,
    origin: flags.origin ?? config.audit.origin,
  }
}

/**
 * The default checkpoint origin for a key: a key named like an origin (`example.com/audit`) is its log's
 * origin, as C2SP tlog-policy names a log's key (witnesses find a log by it); otherwise `goblin/<name>`.
 */
export function defaultOrigin(keyName: string = DEFAULT_KEY_NAME): string {
  return keyName.includes('/') ? keyName : `goblin/${keyName}`
}
