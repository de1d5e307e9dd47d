import { type BrowserKey, importVerifierKey } from './verify.js'

/**
 * Verifier keys the user pinned in this browser (from `goblin audit keys export`, on a machine they
 * trust). While any are pinned the page verifies with those alone and ignores the keys the collector
 * sends: a collector that swapped the keyring along with the log is then caught too.
 */
const STORAGE_KEY = 'goblin.console.pinnedKeys'

export function pinnedKeys(): string[] {
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]') as unknown
    return Array.isArray(stored) ? stored.filter((k): k is string => typeof k === 'string') : []
  } catch {
    return []
  }
}

/** Pins the verifier keys in `text` (one a line); refuses the lot, naming the first bad one, if any is bad. */
export async function pinKeys(text: string): Promise<{ error: string } | { pinned: number }> {
  const vkeys = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  if (vkeys.length === 0)
    return { error: 'paste one verifier key a line (goblin audit keys export prints them)' }
  for (const vkey of vkeys) {
    const key = await importVerifierKey(vkey)
    if ('error' in key) return { error: key.error }
  }
  localStorage.setItem(STORAGE_KEY, JSON.stringify(vkeys))
  return { pinned: vkeys.length }
}

export function unpinKeys(): void {
  localStorage.removeItem(STORAGE_KEY)
}

/** The keys the page verifies with: the pinned ones if any, else the collector's keyring. */
export async function keysToTrust(served: string[]): Promise<{ keys: BrowserKey[]; pinned: boolean }> {
  const pinned = pinnedKeys()
  const imported = await Promise.all((pinned.length > 0 ? pinned : served).map(importVerifierKey))
  return { keys: imported.filter((k): k is BrowserKey => !('error' in k)), pinned: pinned.length > 0 }
}
