import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { usageError } from '../core/errors.js'
import { goblinHome, homePaths } from '../core/paths.js'

/**
 * The Ethereum signer key: from `GOBLIN_ETH_PRIVATE_KEY`, or from a key file that only its owner can read
 * (mode 0600). Never from a flag (it would land in shell history and `ps`), and never printed.
 */

export const ETH_KEY_ENV = 'GOBLIN_ETH_PRIVATE_KEY'

/** The default key file: `GOBLIN_HOME/keys/ethereum.key`. */
export function defaultEthereumKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(homePaths.keys(goblinHome(env)), 'ethereum.key')
}

/** Loads the key as `0x` + 64 hex; throws exit-2 errors that name the source, never the key. */
export function loadEthereumKey(keyFile: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[ETH_KEY_ENV]?.trim()
  if (fromEnv) return normalizeKey(fromEnv, `$${ETH_KEY_ENV}`)
  const path = keyFile ?? defaultEthereumKeyFile(env)
  let mode: number
  try {
    mode = statSync(path).mode
  } catch {
    throw usageError(
      'ETH_KEY_MISSING',
      `no Ethereum signer key: ${ETH_KEY_ENV} is unset and ${path} does not exist`,
      `Set ${ETH_KEY_ENV}, or write the key (hex) to ${path} with mode 0600 (anchor.ethereum.keyFile names another file).`,
    )
  }
  if ((mode & 0o077) !== 0) {
    throw usageError(
      'ETH_KEY_MODE',
      `Ethereum key file ${path} has mode ${(mode & 0o777).toString(8).padStart(4, '0')}; others can read it`,
      `Run chmod 600 ${path}.`,
    )
  }
  return normalizeKey(readFileSync(path, 'utf8').trim(), path)
}

function normalizeKey(raw: string, where: string): string {
  const hex = raw.startsWith('0x') ? raw.slice(2) : raw
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw usageError(
      'ETH_KEY_INVALID',
      `the Ethereum key in ${where} is not 32 bytes of hex`,
      'Store the private key as 64 hex digits.',
    )
  }
  return `0x${hex.toLowerCase()}`
}
