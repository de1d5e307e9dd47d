import { readFileSync } from 'node:fs'
import { usageError } from '../core/errors.js'
import { keyringVerifiers, loadKeyring, parseKeyring } from './keyring.js'
import { parseVerifierKey } from './signed-note.js'
import type { TrustedKey } from './verify.js'

/**
 * The keys a verification trusts. Verifier keys given on the command line (`--key`) are trusted without a
 * validity window; a keyring file (`--keyring`, from `goblin audit keys export --json`) brings its windows;
 * with neither, the local keyring under GOBLIN_HOME/keys.
 */
export function resolveTrustedKeys(options: {
  vkeys?: string[]
  keyringFile?: string
  keysDir: string
}): TrustedKey[] {
  const trusted: TrustedKey[] = []
  if (options.keyringFile) {
    let text: string
    try {
      text = readFileSync(options.keyringFile, 'utf8')
    } catch {
      throw usageError(
        'AUDIT_NO_KEYRING',
        `cannot read the keyring file ${options.keyringFile}`,
        'Export one with goblin audit keys export --json > keyring.json.',
      )
    }
    trusted.push(...keyringVerifiers(parseKeyring(text, options.keyringFile)).values())
  }
  for (const vkey of options.vkeys ?? []) trusted.push({ verifier: parseVerifierKey(vkey), record: null })
  if (!options.keyringFile && (options.vkeys ?? []).length === 0) {
    trusted.push(...keyringVerifiers(loadKeyring(options.keysDir)).values())
  }
  return trusted
}
